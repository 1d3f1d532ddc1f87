package io.kubetune.trainer.train;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The trainable tensors laid out end to end in one flat fp32 space per unit, where a unit is one
 * decoder layer ({@code layers.N}) or everything outside the layers ({@code outer}: embeddings,
 * final norm, lm_head, a LLaVA's projector and vision tower). ZeRO shards each unit's space evenly
 * across ranks, and checkpoints store every rank's range of it, so the layout alone tells which
 * bytes of which file hold any tensor, whatever the world size that wrote them.
 *
 * @param units outer first, then the layers in order; units without trainable tensors are left out
 */
public record FlatLayout(List<Unit> units) {
  private static final Pattern LAYER = Pattern.compile("(?:^|\\.)layers\\.(\\d+)\\.");
  public static final String OUTER = "outer";

  public FlatLayout {
    units = List.copyOf(units);
  }

  /** One tensor's place: elements [offset, offset + numel) of its unit. */
  public record Slot(String name, List<Long> shape, long offset) {
    public Slot {
      shape = List.copyOf(shape);
    }

    public long numel() {
      return shape.stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
    }

    public long[] dims() {
      return shape.stream().mapToLong(Long::longValue).toArray();
    }
  }

  /** One unit's flat space. */
  public record Unit(String name, long numel, List<Slot> slots) {
    public Unit {
      slots = List.copyOf(slots);
    }

    /** Elements per rank: ceil(numel / world); the last ranks' tails are padding. */
    public long shard(int world) {
      return (numel + world - 1) / world;
    }

    /** The padded size, world * shard(world). */
    public long padded(int world) {
      return shard(world) * world;
    }

    /** The real (unpadded) elements rank owns: [start, start + length). */
    public Range range(int world, int rank) {
      long start = Math.min(numel, rank * shard(world));
      long end = Math.min(numel, (rank + 1) * shard(world));
      return new Range(start, end - start);
    }
  }

  /** Elements [start, start + length). */
  public record Range(long start, long length) {
    public long end() {
      return start + length;
    }

    public Range intersect(Range other) {
      long s = Math.max(start, other.start);
      long e = Math.min(end(), other.end());
      return new Range(s, Math.max(0, e - s));
    }
  }

  /** The unit a tensor belongs to, by its name. */
  public static String unitOf(String tensorName) {
    if (tensorName.startsWith(TrainableModel.TOWER)
        || tensorName.startsWith(TrainableModel.PROJECTOR)) {
      // a LLaVA's image side runs before the decoder layers, with the embeddings
      return OUTER;
    }
    Matcher m = LAYER.matcher(tensorName);
    return m.find() ? "layers." + m.group(1) : OUTER;
  }

  /** Lays out tensors (in their map order within each unit). */
  public static FlatLayout of(Map<String, NDArray> tensors) {
    Map<String, List<Slot>> slots = new LinkedHashMap<>();
    Map<String, Long> sizes = new LinkedHashMap<>();
    slots.put(OUTER, new ArrayList<>());
    sizes.put(OUTER, 0L);
    List<String> layers = new ArrayList<>();
    tensors.forEach(
        (name, t) -> {
          String unit = unitOf(name);
          if (!slots.containsKey(unit)) {
            slots.put(unit, new ArrayList<>());
            sizes.put(unit, 0L);
            layers.add(unit);
          }
          List<Long> shape = new ArrayList<>();
          for (long d : t.getShape().getShape()) {
            shape.add(d);
          }
          long offset = sizes.get(unit);
          Slot slot = new Slot(name, shape, offset);
          slots.get(unit).add(slot);
          sizes.put(unit, offset + slot.numel());
        });
    layers.sort((a, b) -> Integer.compare(layerIndex(a), layerIndex(b)));
    List<Unit> units = new ArrayList<>();
    if (sizes.get(OUTER) > 0) {
      units.add(new Unit(OUTER, sizes.get(OUTER), slots.get(OUTER)));
    }
    for (String l : layers) {
      units.add(new Unit(l, sizes.get(l), slots.get(l)));
    }
    return new FlatLayout(units);
  }

  private static int layerIndex(String unit) {
    return Integer.parseInt(unit.substring("layers.".length()));
  }

  /** The unit and slot of a tensor. */
  public record Place(Unit unit, Slot slot) {}

  public Map<String, Place> places() {
    Map<String, Place> out = new LinkedHashMap<>();
    for (Unit u : units) {
      for (Slot s : u.slots()) {
        out.put(s.name(), new Place(u, s));
      }
    }
    return out;
  }

  public long numel() {
    return units.stream().mapToLong(Unit::numel).sum();
  }
}
