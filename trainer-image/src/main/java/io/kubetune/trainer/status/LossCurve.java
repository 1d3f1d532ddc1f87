package io.kubetune.trainer.status;

import io.kubetune.trainer.train.CheckpointState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The loss curve of a run as a PNG, drawn with XChart. */
public final class LossCurve {
  private LossCurve() {}

  /** Writes file (a .png path) from the steps' records; steps without a loss are left out. */
  public static void write(Path file, List<CheckpointState.StepRecord> history, String title)
      throws IOException {
    List<CheckpointState.StepRecord> points =
        history.stream().filter(r -> !Double.isNaN(r.loss())).toList();
    if (points.isEmpty()) {
      return;
    }
    XYChart chart =
        new XYChartBuilder()
            .width(900)
            .height(500)
            .title(title)
            .xAxisTitle("step")
            .yAxisTitle("loss")
            .build();
    chart.getStyler().setLegendVisible(false);
    chart
        .addSeries(
            "loss",
            points.stream().mapToDouble(CheckpointState.StepRecord::step).toArray(),
            points.stream().mapToDouble(CheckpointState.StepRecord::loss).toArray())
        .setMarker(SeriesMarkers.NONE);
    String name = file.toString();
    String base = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
    System.setProperty("java.awt.headless", "true");
    BitmapEncoder.saveBitmap(chart, base, BitmapEncoder.BitmapFormat.PNG);
  }
}
