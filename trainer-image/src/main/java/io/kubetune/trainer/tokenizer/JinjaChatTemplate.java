package io.kubetune.trainer.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
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
 * PythonStringMethods} supplies Python's str methods. Known remaining differences: booleans print
 * as {@code true}/{@code false} (Jinja2: {@code True}/{@code False}), {@code none} prints as ""
 * (Jinja2: {@code None}), and attribute access on an undefined value yields "" instead of an error.
 *
 * <p>Immutable and thread-safe.
 */
public final class JinjaChatTemplate implements ChatTemplate {
  private final String source;
  private final String jinjavaSource;
  private final Map<String, Object> variables;
  private final Jinjava jinjava;

  /**
   * @param source the Jinja2 template
   * @param variables fixed variables, usually the special tokens ({@code bos_token} etc.)
   */
  public JinjaChatTemplate(String source, Map<String, ?> variables) {
    this.source = source;
    this.jinjavaSource = Jinja2Source.toJinjava(source);
    this.variables = Collections.unmodifiableMap(new HashMap<>(variables));
    this.jinjava = newJinjava();
  }

  /**
   * The tokenizer's own chat template, with its special tokens as variables.
   *
   * @throws ChatTemplateException when the tokenizer has no chat template
   */
  public static JinjaChatTemplate of(Tokenizer tokenizer) {
    String src =
        tokenizer
            .chatTemplate()
            .orElseThrow(() -> new ChatTemplateException("the tokenizer has no chat_template"));
    return new JinjaChatTemplate(src, specialTokenVariables(tokenizer.config()));
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
      throw new ChatTemplateException(
          "chat template failed: "
              + fatal.stream().map(JinjaChatTemplate::describe).collect(Collectors.joining("; ")));
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
            .withLegacyOverrides(
                LegacyOverrides.newBuilder()
                    .withUseNaturalOperatorPrecedence(true)
                    .withParseWhitespaceControlStrictly(true)
                    .withKeepNullableLoopValues(true)
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
