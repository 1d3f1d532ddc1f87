package io.kubetune.trainer.tokenizer;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a SentencePiece {@code tokenizer.model} holds that a tokenizer needs: its pieces and the
 * trainer and normalizer settings. The file is a serialized {@code ModelProto}; the field numbers
 * are those of sentencepiece's {@code src/sentencepiece_model.proto} (read with protobuf's wire
 * decoder, so unknown fields are skipped as protobuf does).
 *
 * @param pieces in id order
 * @param bpe model_type BPE (the other kinds, unigram, word and char, are refused by the converter)
 * @param precompiledCharsmap the normalizer's compiled rules (empty for the identity normalizer)
 */
public record SentencePieceModel(
    List<Piece> pieces,
    boolean bpe,
    int modelType,
    boolean byteFallback,
    boolean treatWhitespaceAsSuffix,
    int unkId,
    String unkPiece,
    int bosId,
    int eosId,
    String normalizerName,
    byte[] precompiledCharsmap,
    boolean addDummyPrefix,
    boolean removeExtraWhitespaces,
    boolean escapeWhitespaces) {

  /** SentencePiece.Type. */
  public enum PieceType {
    NORMAL,
    UNKNOWN,
    CONTROL,
    USER_DEFINED,
    UNUSED,
    BYTE;

    static PieceType of(int code) {
      return switch (code) {
        case 1 -> NORMAL;
        case 2 -> UNKNOWN;
        case 3 -> CONTROL;
        case 4 -> USER_DEFINED;
        case 5 -> UNUSED;
        case 6 -> BYTE;
        default -> throw new IllegalArgumentException("unknown piece type " + code);
      };
    }
  }

  public record Piece(String piece, float score, PieceType type) {}

  private static final int BPE = 2;

  public SentencePieceModel {
    pieces = List.copyOf(pieces);
  }

  /** Reads a tokenizer.model; errors name the file. */
  public static SentencePieceModel read(Path file) throws IOException {
    try {
      return parse(CodedInputStream.newInstance(Files.readAllBytes(file)));
    } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
      throw new TokenizerFormatException(file + ": not a sentencepiece model: " + e.getMessage());
    }
  }

  private static SentencePieceModel parse(CodedInputStream in) throws IOException {
    List<Piece> pieces = new ArrayList<>();
    Builder b = new Builder();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> pieces.add(piece(in.readBytes().newCodedInput()));
        case 2 -> trainerSpec(in.readBytes().newCodedInput(), b);
        case 3 -> normalizerSpec(in.readBytes().newCodedInput(), b);
        default -> in.skipField(tag);
      }
    }
    if (pieces.isEmpty()) {
      throw new IllegalArgumentException("it has no pieces");
    }
    return new SentencePieceModel(
        pieces,
        b.modelType == BPE,
        b.modelType,
        b.byteFallback,
        b.suffix,
        b.unkId,
        b.unkPiece,
        b.bosId,
        b.eosId,
        b.normalizerName,
        b.charsmap,
        b.addDummyPrefix,
        b.removeExtraWhitespaces,
        b.escapeWhitespaces);
  }

  private static Piece piece(CodedInputStream in) throws IOException {
    String piece = "";
    float score = 0;
    int type = 1;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> piece = in.readStringRequireUtf8();
        case 2 -> score = in.readFloat();
        case 3 -> type = in.readEnum();
        default -> in.skipField(tag);
      }
    }
    return new Piece(piece, score, PieceType.of(type));
  }

  private static void trainerSpec(CodedInputStream in, Builder b) throws IOException {
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 3 -> b.modelType = in.readEnum();
        case 24 -> b.suffix = in.readBool();
        case 35 -> b.byteFallback = in.readBool();
        case 40 -> b.unkId = in.readInt32();
        case 41 -> b.bosId = in.readInt32();
        case 42 -> b.eosId = in.readInt32();
        case 45 -> b.unkPiece = in.readStringRequireUtf8();
        default -> in.skipField(tag);
      }
    }
  }

  private static void normalizerSpec(CodedInputStream in, Builder b) throws IOException {
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> b.normalizerName = in.readStringRequireUtf8();
        case 2 -> b.charsmap = in.readByteArray();
        case 3 -> b.addDummyPrefix = in.readBool();
        case 4 -> b.removeExtraWhitespaces = in.readBool();
        case 5 -> b.escapeWhitespaces = in.readBool();
        default -> in.skipField(tag);
      }
    }
  }

  /** The proto's defaults (sentencepiece_model.proto), overwritten by what the file sets. */
  private static final class Builder {
    int modelType = 1;
    boolean byteFallback;
    boolean suffix;
    int unkId;
    String unkPiece = "<unk>";
    int bosId = 1;
    int eosId = 2;
    String normalizerName = "";
    byte[] charsmap = new byte[0];
    boolean addDummyPrefix = true;
    boolean removeExtraWhitespaces = true;
    boolean escapeWhitespaces = true;
  }
}
