package io.kubetune.trainer.weights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.testing.Fixtures;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.torch.Dtype;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pytorch_model.bin files written by torch.save (fixtures/pickle, make_layout_fixtures.py). */
class TorchBinTest {
  private static final Path PICKLES = Fixtures.ROOT.resolve("pickle");
  private final NDManager manager = NDManager.newBaseManager("PyTorch");
  @TempDir Path dir;

  @AfterEach
  void close() {
    manager.close();
  }

  @Test
  void everyTensorOfAStateDictComesBackAsTorchSavedIt() throws Exception {
    Files.copy(PICKLES.resolve("state_dict.bin"), dir.resolve(TorchBinCheckpoint.SINGLE_FILE));
    try (Checkpoint bin = Checkpoints.open(dir);
        SafetensorsFile expected =
            SafetensorsFile.open(PICKLES.resolve("state_dict.expected.safetensors"))) {
      assertThat(bin).isInstanceOf(TorchBinCheckpoint.class);
      assertThat(bin.tensors().keySet()).isEqualTo(expected.tensors().keySet());
      for (Map.Entry<String, TensorInfo> e : expected.tensors().entrySet()) {
        String name = e.getKey();
        NDArray got = bin.load(manager, name);
        NDArray want = expected.load(manager, name);
        assertThat(Aten.dtype(got)).as(name).isEqualTo(e.getValue().dtype());
        assertThat(got.getShape()).as(name).isEqualTo(e.getValue().shape());
        assertThat(Aten.to(got, Dtype.F64).contentEquals(Aten.to(want, Dtype.F64)))
            .as("values of %s", name)
            .isTrue();
      }
    }
  }

  @Test
  void aContiguousTensorAliasesTheFileMappingInsteadOfACopy() throws Exception {
    Files.copy(PICKLES.resolve("state_dict.bin"), dir.resolve(TorchBinCheckpoint.SINGLE_FILE));
    try (Checkpoint bin = Checkpoints.open(dir)) {
      NDArray a = bin.load(manager, "view_offset");
      NDArray b = bin.load(manager, "base");
      // view_offset is base[1:3]: the same storage, one row (6 floats) further on
      assertThat(Aten.dataAddress(a) - Aten.dataAddress(b)).isEqualTo(6 * 4);
    }
  }

  @Test
  void aForeignReconstructorIsRefusedByName() throws Exception {
    Files.copy(
        PICKLES.resolve("foreign_reconstructor.bin"), dir.resolve(TorchBinCheckpoint.SINGLE_FILE));
    assertThatThrownBy(() -> Checkpoints.open(dir))
        .isInstanceOf(TorchBinFormatException.class)
        .hasMessageContaining(TorchBinCheckpoint.SINGLE_FILE)
        .hasMessageContaining("'posix.system'")
        .hasMessageContaining("a pickle can run code");
  }

  @Test
  void theLegacyNonZipFormatIsRefusedWithAWayOut() throws Exception {
    Files.copy(PICKLES.resolve("legacy_format.bin"), dir.resolve(TorchBinCheckpoint.SINGLE_FILE));
    assertThatThrownBy(() -> Checkpoints.open(dir))
        .isInstanceOf(TorchBinFormatException.class)
        .hasMessageContaining("not a zip-format PyTorch checkpoint")
        .hasMessageContaining("safetensors");
  }

  @Test
  void aFolderWithoutWeightsSaysWhatItLookedFor() {
    assertThatThrownBy(() -> Checkpoints.open(dir))
        .hasMessageContaining("model.safetensors")
        .hasMessageContaining("pytorch_model.bin.index.json");
  }
}
