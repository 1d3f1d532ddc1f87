package io.kubetune.trainer.dist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.torch.Dtype;
import java.time.Duration;
import java.util.Arrays;

/**
 * One rank of {@link C10dGroupTest}: joins the group from the environment, runs each collective on
 * fp32 and bf16 tensors and prints "RESULT name values" lines for the test to check; in fault
 * modes, stops (die, hang) or fails at the chosen point.
 */
public final class CollectivesMain {
  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "ops";
    Duration timeout = Duration.ofMillis(args.length > 1 ? Long.parseLong(args[1]) : 20_000);
    Rendezvous r = Rendezvous.fromEnvironment(System.getenv());
    try (C10dGroup g =
            C10dGroup.join(
                r, timeout, Duration.ofSeconds(60), () -> Runtime.getRuntime().halt(99));
        NDManager m = NDManager.newBaseManager("PyTorch")) {
      int rank = g.rank();
      int world = g.world();
      switch (mode) {
        case "ops" -> ops(g, m, rank, world);
        case "die" -> {
          g.barrier("start");
          if (rank == world - 1) {
            Runtime.getRuntime().halt(9); // as kill -9: no goodbye to anyone
          }
          g.allReduce(m.ones(new Shape(4)), "gradients of layer 3");
        }
        case "hang" -> {
          g.barrier("start");
          if (rank == world - 1) {
            Thread.sleep(3 * timeout.toMillis()); // alive, heartbeating, but not joining
            Runtime.getRuntime().halt(0);
          }
          g.allReduce(m.ones(new Shape(4)), "gradients of layer 3");
        }
        default -> throw new IllegalArgumentException(mode);
      }
      g.barrier("end");
    } catch (CollectiveException e) {
      System.out.println("FAILED " + e.getMessage());
      System.exit(75);
    }
  }

  private static void ops(C10dGroup g, NDManager m, int rank, int world) {
    NDArray x = m.full(new Shape(6), rank + 1f);
    g.allReduce(x, "x");
    print("all_reduce", x);

    NDArray b = Aten.to(m.full(new Shape(4), 1.5f * (rank + 1)), Dtype.BF16);
    g.allReduce(b, "bf16");
    print("all_reduce_bf16", Aten.to(b, Dtype.F32));

    NDArray in = m.arange(0f, 4f * world).mul(m.create(rank + 1f));
    NDArray out = m.zeros(new Shape(4));
    g.reduceScatter(out, in, "rs");
    print("reduce_scatter", out);

    NDArray gin = m.full(new Shape(3), rank + 0.5f);
    NDArray gout = m.zeros(new Shape(3L * world));
    g.allGather(gout, gin, "ag");
    print("all_gather", gout);

    NDArray bytes = Aten.to(m.full(new Shape(2), rank * 10f + 7f), Dtype.U8);
    NDArray gathered = Aten.to(m.zeros(new Shape(2L * world)), Dtype.U8);
    g.allGather(gathered, bytes, "bytes");
    print("all_gather_u8", Aten.to(gathered, Dtype.F32));

    NDArray bc = m.full(new Shape(3), rank == 1 ? 42f : -1f);
    g.broadcast(bc, 1, "bc");
    print("broadcast", bc);

    g.store().set("hello/" + rank, "from " + rank);
    System.out.println("RESULT store " + g.store().get("hello/" + ((rank + 1) % world)));
  }

  private static void print(String name, NDArray a) {
    System.out.println("RESULT " + name + " " + Arrays.toString(a.toFloatArray()));
  }
}
