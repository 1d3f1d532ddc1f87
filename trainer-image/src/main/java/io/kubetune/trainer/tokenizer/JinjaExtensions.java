package io.kubetune.trainer.tokenizer;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.Map;

/** The globals transformers adds to the Jinja environment of chat templates. */
final class JinjaExtensions {
  private JinjaExtensions() {}

  /** {@code raise_exception(message)}: templates refuse conversations they cannot render. */
  public static String raiseException(Object message) {
    throw new ChatTemplateException(String.valueOf(message));
  }

  /**
   * The functions transformers adds to the environment, as variables (their values are never
   * called: calls go to the registered functions), so that {@code strftime_now is defined} holds.
   */
  static final Map<String, Object> GLOBALS =
      Map.of(
          "raise_exception", "<function raise_exception>",
          "strftime_now", "<function strftime_now>");

  /** The render context's clock, read by {@code strftime_now}. */
  static final String CLOCK_VARIABLE = "__kubetune_clock__";

  /** {@code strftime_now(format)}: Llama 3.2 templates print today's date. */
  public static String strftimeNow(String format) {
    JinjavaInterpreter interpreter = JinjavaInterpreter.getCurrent();
    Object clock = interpreter == null ? null : interpreter.getContext().get(CLOCK_VARIABLE);
    return strftime(
        ZonedDateTime.now(clock instanceof Clock c ? c : Clock.systemDefaultZone()), format);
  }

  static String strftime(ZonedDateTime t, String format) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%' || i + 1 == format.length()) {
        out.append(c);
        continue;
      }
      char d = format.charAt(++i);
      switch (d) {
        case 'd' -> out.append(String.format("%02d", t.getDayOfMonth()));
        case 'm' -> out.append(String.format("%02d", t.getMonthValue()));
        case 'Y' -> out.append(t.getYear());
        case 'y' -> out.append(String.format("%02d", t.getYear() % 100));
        case 'H' -> out.append(String.format("%02d", t.getHour()));
        case 'I' -> out.append(String.format("%02d", (t.getHour() + 11) % 12 + 1));
        case 'M' -> out.append(String.format("%02d", t.getMinute()));
        case 'S' -> out.append(String.format("%02d", t.getSecond()));
        case 'p' -> out.append(t.getHour() < 12 ? "AM" : "PM");
        case 'b' -> out.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
        case 'B' -> out.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
        case 'a' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
        case 'A' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
        case 'j' -> out.append(String.format("%03d", t.getDayOfYear()));
        case '%' -> out.append('%');
        default -> out.append('%').append(d);
      }
    }
    return out.toString();
  }

  /** transformers' tojson: Python json.dumps with ensure_ascii=False and its keyword arguments. */
  static final class ToJsonFilter implements Filter {
    @Override
    public String getName() {
      return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
      return filter(var, interpreter, args, Map.of());
    }

    @Override
    public Object filter(
        Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
      Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
      String itemSep = null;
      String keySep = null;
      if (kwargs.get("separators") instanceof java.util.List<?> seps && seps.size() == 2) {
        itemSep = String.valueOf(seps.get(0));
        keySep = String.valueOf(seps.get(1));
      }
      boolean sortKeys = Boolean.TRUE.equals(kwargs.get("sort_keys"));
      boolean ensureAscii = Boolean.TRUE.equals(kwargs.get("ensure_ascii"));
      Integer ind = indent instanceof Number n ? n.intValue() : null;
      return new PythonJson(ind, itemSep, keySep, sortKeys, ensureAscii).dumps(var);
    }
  }

  /**
   * {@code {% generation %}...{% endgeneration %}}: transformers marks the assistant's tokens with
   * it (return_assistant_tokens_mask); for rendering it is transparent.
   */
  static final class GenerationTag implements Tag {
    @Override
    public String getName() {
      return "generation";
    }

    @Override
    public String getEndTagName() {
      return "endgeneration";
    }

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
      StringBuilder out = new StringBuilder();
      for (Node child : tagNode.getChildren()) {
        out.append(child.render(interpreter).getValue());
      }
      return out.toString();
    }
  }
}
