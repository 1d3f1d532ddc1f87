package io.kubetune.trainer.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;

/**
 * A HuggingFace chat template (Jinja2 source, as in tokenizer_config.json) rendered in Java with
 * Jinjava, with transformers' semantics: {@code trim_blocks} and {@code lstrip_blocks} on (Jinja2's
 * rules, see {@link Jinja2Source}), no trailing newline kept, variables {@code messages}, {@code
 * add_generation_prompt}, the special tokens ({@code bos_token}, {@code eos_token}, ...), and the
 * globals {@code raise_exception}, {@code strftime_now} and the {@code tojson} filter as
 * transformers defines them.
 *
 * <p>Where Jinjava and Jinja2 differ, {@link Jinja2Source} rewrites the source and {@link
 * PythonStringMethods} supplies Python's str methods. The published templates of the conformance
 * corpus (JinjaChatTemplateCorpusTest) render exactly as in transformers. Known remaining
 * differences, none of which those templates meet: booleans print as {@code true}/{@code false} and
 * {@code none} as "" (Jinja2: True, False, None, also inside printed lists); {@code a and b} gives
 * a boolean, not b; a {@code %} string format, chained comparisons ({@code a < b < c}), a loop's
 * {@code if} filter and {@code else} branch, {@code loop.previtem} and {@code loop.nextitem}, the
 * {@code dict()} global, the {@code filter} tag and {@code sort(attribute=)} are not supported;
 * {@code none|default(x)} gives x; the {@code length} of a string counts UTF-16 units; and
 * attribute access on an undefined value yields "" instead of an error.
 *
 * <p>Immutable and thread-safe.
 */
public final class JinjaChatTemplate implements ChatTemplate {
  private final String source;
  private final String jinjavaSource;
  private final Map<String, Object> variables;
  private final Clock clock;
  private final Jinjava jinjava;

  /**
   * @param source the Jinja2 template
   * @param variables fixed variables, usually the special tokens ({@code bos_token} etc.)
   */
  public JinjaChatTemplate(String source, Map<String, ?> variables) {
    this(source, variables, Clock.systemDefaultZone());
  }

  /**
   * @param clock what {@code strftime_now()} reads (transformers: the local time)
   */
  public JinjaChatTemplate(String source, Map<String, ?> variables, Clock clock) {
    this.source = source;
    this.jinjavaSource = Jinja2Source.toJinjava(source);
    this.variables = Collections.unmodifiableMap(new HashMap<>(variables));
    this.clock = clock;
    this.jinjava = newJinjava();
  }

  /**
   * The tokenizer's own chat template, with its special tokens as variables, checked for syntax
   * errors that can be found before rendering (unclosed and unknown tags).
   *
   * @throws ChatTemplateException when the tokenizer has no chat template, or it does not parse
   */
  public static JinjaChatTemplate of(Tokenizer tokenizer) {
    String src =
        tokenizer
            .chatTemplate()
            .orElseThrow(() -> new ChatTemplateException("the tokenizer has no chat_template"));
    JinjaChatTemplate template =
        new JinjaChatTemplate(src, specialTokenVariables(tokenizer.config()));
    template.checkSyntax();
    return template;
  }

  /** Parses the template without rendering it; throws what the parser found. */
  void checkSyntax() {
    JinjavaInterpreter interpreter = jinjava.newInterpreter();
    interpreter.parse(jinjavaSource);
    interpreter.getErrors().stream()
        .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
        .findFirst()
        .ifPresent(
            e -> {
              throw new ChatTemplateException("chat template does not parse: " + describe(e));
            });
  }

  /** The template variables transformers derives from tokenizer_config.json. */
  public static Map<String, Object> specialTokenVariables(TokenizerConfig config) {
    Map<String, Object> vars = new HashMap<>(config.specialTokens());
    vars.put("additional_special_tokens", config.additionalSpecialTokens());
    return vars;
  }

  /** The Jinja2 source. */
  public String source() {
    return source;
  }

  @Override
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    List<Map<String, Object>> plain = new ArrayList<>(messages.size());
    for (ChatMessage m : messages) {
      Map<String, Object> map = new LinkedHashMap<>(); // key order shows in tojson output
      map.put("role", m.role());
      map.put("content", m.content());
      plain.add(map);
    }
    return render(plain, addGenerationPrompt, Map.of());
  }

  /**
   * Renders messages given as maps (for fields beyond role and content, e.g. tool calls), with
   * extra variables (e.g. {@code tools}).
   */
  public String render(
      List<? extends Map<String, ?>> messages,
      boolean addGenerationPrompt,
      Map<String, ?> extraVariables) {
    Map<String, Object> context = new HashMap<>(variables);
    context.putAll(extraVariables);
    context.put("messages", messages);
    context.put("add_generation_prompt", addGenerationPrompt);
    context.put(JinjaExtensions.CLOCK_VARIABLE, clock);
    // transformers' globals are variables too: templates test "strftime_now is defined"
    JinjaExtensions.GLOBALS.forEach(context::putIfAbsent);
    RenderResult result;
    try {
      result = jinjava.renderForResult(jinjavaSource, context);
    } catch (ChatTemplateException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new ChatTemplateException("chat template failed: " + e.getMessage(), e);
    }
    List<TemplateError> fatal =
        result.getErrors().stream()
            .filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL)
            .toList();
    if (!fatal.isEmpty()) {
      // Jinja2 stops at the first error; Jinjava records it and renders on
      throw new ChatTemplateException("chat template failed: " + describe(fatal.get(0)));
    }
    return result.getOutput();
  }

  private static String describe(TemplateError e) {
    // raise_exception's message is what the template author wrote for the user: show it alone
    for (Throwable t = e.getException(); t != null; t = t.getCause()) {
      if (t instanceof ChatTemplateException c) {
        return c.getMessage();
      }
    }
    return (e.getLineno() > 0 ? "line " + e.getLineno() + ": " : "") + e.getMessage();
  }

  private static Jinjava newJinjava() {
    CompositeELResolver resolver = new CompositeELResolver();
    resolver.add(new PythonStringMethods());
    resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
    JinjavaConfig config =
        JinjavaConfig.newBuilder()
            // trim_blocks and lstrip_blocks are applied by Jinja2Source with Jinja2's rules
            .withTrimBlocks(false)
            .withLstripBlocks(false)
            .withElResolver(resolver)
            // a message's text is output, never a template: "{{ x }}" in it stays as written
            .withNestedInterpretationEnabled(false)
            .withLegacyOverrides(
                LegacyOverrides.newBuilder()
                    .withUseNaturalOperatorPrecedence(true)
                    .withParseWhitespaceControlStrictly(true)
                    .withKeepNullableLoopValues(true)
                    .withUsePyishObjectMapper(true)
                    .build())
            .build();
    Jinjava j = new Jinjava(config);
    j.getGlobalContext()
        .registerFunction(
            new ELFunctionDefinition(
                "", "raise_exception", JinjaExtensions.class, "raiseException", Object.class));
    j.getGlobalContext()
        .registerFunction(
            new ELFunctionDefinition(
                "", "strftime_now", JinjaExtensions.class, "strftimeNow", String.class));
    j.getGlobalContext().registerFilter(new JinjaExtensions.ToJsonFilter());
    j.getGlobalContext().registerTag(new JinjaExtensions.GenerationTag());
    return j;
  }
}
