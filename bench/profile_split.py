"""Splits an async-profiler profile (collapsed stacks, one thread per root frame) into where the
time went. Written for bench/profile.sh; plain Python 3, no packages.

usage: profile_split.py COLLAPSED_FILE [DRIVER_THREAD_PREFIX]

Prints two tables:
  by kind       every sample by what its innermost frame is: libtorch compute kernels, libtorch's
                dispatch and tensor bookkeeping, native allocation, OpenMP waits, our Java, DJL's
                Java and JNI layer, JNA crossings, the JVM (GC, JIT, runtime), the OS kernel
  by component  the driver thread's samples (the thread that runs the model: its time is the
                step's time) by the innermost frame of our own code above the torch package (io/kubetune/...), so that
                a linear layer's kernel, dispatch and crossing costs count for that layer
"""
import collections
import re
import sys

COMPUTE = re.compile(
    r"mkl_|dnnl|brgemm|gemm|gemv|Vectorized|vectorized|cpu_kernel|_kernel|Loop2d|loop_2d"
    r"|reduction|reduce|Sleef|softmax|flash|sdpa|cpublas|vec::|unary_op|binary_op|copy_|fill_"
    r"|mul_|add_|_vec_|parallel_for|invoke_parallel|index_select|embedding|cat_serial|memcpy|memset"
)
ALLOC = re.compile(
    r"^(__GI___libc_malloc|malloc|_int_malloc|_int_free|free|cfree|__libc_free|unlink_chunk.*|"
    r"malloc_consolidate|sysmalloc|tcache.*|_int_realloc|realloc|posix_memalign|_mid_memalign|"
    r"operator new.*|operator delete.*|c10::alloc_cpu.*|c10::free_cpu.*|__GI___libc_free|"
    r"__munmap|__mmap|madvise)$"
)
JVM_RUNTIME = re.compile(
    r"Interpreter|JavaCalls|SharedRuntime|OptoRuntime|itable stub|vtable stub|JNIHandles|jni_|"
    r"ThreadStateTransition|ThreadInVMfromNative|JavaThread::|SafepointMechanism|ObjectSynchronizer|"
    r"InstanceKlass|Runtime1|StubRoutines|call_stub|Symbol|ClassLoader|JvmtiExport|"
    r"MemAllocator|CollectedHeap|G1|TLAB|OptoRuntime|AccessInternal"
)


def is_java(frame):
    return "/" in frame and not frame.startswith("/") and "::" not in frame and "(" not in frame


def java_owner(frame):
    if frame.startswith("io/kubetune/"):
        return "our Java"
    if frame.startswith("ai/djl/"):
        return "DJL Java"
    if frame.startswith("com/sun/jna/"):
        return "JNA (Java side)"
    return None


def kind(thread, frames):
    leaf = frames[-1] if frames else thread
    if re.search(r"GC Thread|G1 |GC |VM Thread|Service Thread|VM Periodic", thread):
        return "JVM: GC and VM threads"
    if "CompilerThread" in thread:
        return "JVM: JIT compiler threads"
    if leaf.endswith("_[k]"):
        return "OS kernel (page faults, scheduling, syscalls)"
    if "libgomp" in leaf or leaf.startswith(("gomp_", "GOMP_")):
        return "OpenMP: waiting at a barrier or for work"
    if "jna" in leaf.lower() or leaf.startswith(("ffi_", "dispatch_direct", "Java_com_sun_jna")):
        return "JNA (native glue)"
    if "libdjl_torch" in leaf or leaf.startswith("Java_ai_djl"):
        return "DJL JNI glue"
    if ALLOC.match(leaf):
        return "native allocation (malloc/free)"
    if is_java(leaf):
        # a JDK method counts for the code that called it
        for f in reversed(frames):
            owner = java_owner(f)
            if owner:
                return owner
        return "JDK / other Java"
    if JVM_RUNTIME.search(leaf):
        return "JVM runtime (JNI transitions, stubs, allocation)"
    if COMPUTE.search(leaf):
        return "libtorch kernels (compute)"
    if re.search(r"c10::|at::|torch::|caffe2::", leaf):
        return "libtorch dispatch and tensor bookkeeping"
    return "other native (" + leaf[:50] + ")"


def component(frames):
    for f in reversed(frames):
        if f.startswith("io/kubetune/") and not f.startswith("io/kubetune/trainer/torch/"):
            cls, method = f.rsplit(".", 1)
            return cls.rsplit("/", 1)[-1] + "." + method
    return "(outside our code)"


def main():
    path = sys.argv[1]
    driver = sys.argv[2] if len(sys.argv) > 2 else None
    by_kind = collections.Counter()
    by_component = collections.Counter()
    driver_kind = collections.Counter()
    total = 0
    for line in open(path, encoding="utf-8", errors="replace"):
        stack, _, n = line.rstrip("\n").rpartition(" ")
        if not stack:
            continue
        n = int(n)
        frames = stack.split(";")
        thread, frames = frames[0], frames[1:]
        k = kind(thread, frames)
        by_kind[k] += n
        total += n
        if driver and thread.startswith("[" + driver):
            by_component[component(frames)] += n
            driver_kind[k] += n
    print(f"all threads, {total} samples, by what the innermost frame is:")
    for k, v in by_kind.most_common():
        if v / total >= 0.002:
            print(f"  {100 * v / total:5.1f}%  {k}")
    if driver:
        dt = sum(by_component.values())
        print(f"driver thread '{driver}', {dt} samples (its time is the step's time), by kind:")
        for k, v in driver_kind.most_common():
            if v / dt >= 0.002:
                print(f"  {100 * v / dt:5.1f}%  {k}")
        print("the same samples by the innermost method of our code:")
        for k, v in by_component.most_common(25):
            if v / dt >= 0.002:
                print(f"  {100 * v / dt:5.1f}%  {k}")


if __name__ == "__main__":
    main()
