package io.kubetune.trainer.data;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.api.DatasetSpec;

/** Reads one JSON record of a dataset format into the standard form. */
interface RecordParser {
  Sample parse(JsonNode record) throws InvalidRecordException;

  static RecordParser forFormat(DatasetSpec.Format format) {
    return switch (format) {
      case OPENAI -> new OpenAiParser();
      case ALPACA -> new AlpacaParser();
      case SHAREGPT -> new ShareGptParser();
      case XTUNER -> new XTunerParser();
      case TEXT -> new TextParser();
      case LLAVA -> new LlavaParser();
    };
  }
}
