package io.kubetune.trainer.torch;

import com.sun.jna.Memory;

/** An ATen operator by schema name and overload, with its C strings allocated once. */
record AtenOp(String name, String overload, Memory nameC, Memory overloadC) {

  static AtenOp of(String name, String overload) {
    return new AtenOp(name, overload, cString(name), cString(overload));
  }

  private static Memory cString(String s) {
    byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Memory m = new Memory(bytes.length + 1L);
    m.write(0, bytes, 0, bytes.length);
    m.setByte(bytes.length, (byte) 0);
    return m;
  }

  @Override
  public String toString() {
    return overload.isEmpty() ? name : name + "." + overload;
  }
}
