package io.kubetune.trainer.data;

/**
 * Where the training data stream stands: the next batch starts with sample {@code index} of epoch
 * {@code epoch}'s shuffled order. A checkpoint records it; resuming there yields exactly the
 * batches that had not been trained on.
 */
public record DataPosition(int epoch, int index) {
  public static final DataPosition START = new DataPosition(0, 0);

  public DataPosition {
    if (epoch < 0 || index < 0) {
      throw new IllegalArgumentException("negative data position: " + epoch + "/" + index);
    }
  }
}
