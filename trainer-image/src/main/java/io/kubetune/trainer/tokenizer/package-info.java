/**
 * Tokenizers and chat templates: {@link io.kubetune.trainer.tokenizer.Tokenizer} (DJL's binding of
 * HuggingFace tokenizers, never truncating; a sentencepiece tokenizer.model is converted to it by
 * {@link io.kubetune.trainer.tokenizer.SentencePieceConverter}), {@link
 * io.kubetune.trainer.tokenizer.StreamingDecoder} (text pieces for a streaming server), {@link
 * io.kubetune.trainer.tokenizer.JinjaChatTemplate} (HuggingFace Jinja2 chat templates rendered with
 * Jinjava under transformers' semantics) and XTuner's prompt templates as data ({@link
 * io.kubetune.trainer.tokenizer.XTunerTemplates}), each with its rendering ({@link
 * io.kubetune.trainer.tokenizer.XTunerChatTemplate}) and the equivalent Jinja2 chat_template for
 * export ({@link io.kubetune.trainer.tokenizer.XTunerTemplate#toJinja()}).
 */
package io.kubetune.trainer.tokenizer;
