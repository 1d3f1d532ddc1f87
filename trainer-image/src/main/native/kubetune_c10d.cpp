// kubetune's collective layer: a C ABI over libtorch's c10d (TCPStore, ProcessGroupGloo, and
// ProcessGroupNCCL when built with USE_C10D_NCCL), for the JVM through JNA.
//
// Tensors are passed as at::Tensor* (exactly what a DJL PtNDArray handle is), so collectives run
// in place on DJL's tensors with no copy. Every function that can fail returns 0 (or a non-null
// handle) on success and -1 (or null) on failure, leaving the error's text for
// ktd_last_error() on the calling thread. No C++ exception ever crosses into the JVM.
//
// Handles: a store is a c10d::Store* and a group a c10d::Backend*, each holding one reference of
// its intrusive_ptr; ktd_store_free / ktd_group_free drop it.
#include <ATen/core/Tensor.h>
#include <ATen/ops/empty.h>
#include <c10/util/Exception.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <chrono>
#include <cstdint>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#define KTD_API extern "C" __attribute__((visibility("default")))

namespace {

thread_local std::string last_error;

// c10::Error's what() carries a C++ backtrace; the message alone is what a user needs.
void remember(const std::exception& e) {
  if (auto* c10 = dynamic_cast<const c10::Error*>(&e)) {
    last_error = c10->what_without_backtrace();
  } else {
    last_error = e.what();
  }
}

template <typename F>
int guarded(F&& body) {
  try {
    body();
    return 0;
  } catch (const std::exception& e) {
    remember(e);
  } catch (...) {
    last_error = "unknown C++ exception";
  }
  return -1;
}

at::Tensor& tensor(void* handle) { return *static_cast<at::Tensor*>(handle); }

c10d::Store* store(void* handle) { return static_cast<c10d::Store*>(handle); }

c10d::Backend* group(void* handle) { return static_cast<c10d::Backend*>(handle); }

c10d::ReduceOp reduce_op(int op) {
  return c10d::ReduceOp(static_cast<c10d::ReduceOp::RedOpType>(op));
}

void wait(const c10::intrusive_ptr<c10d::Work>& work) {
  // the group's own timeout bounds every operation; wait() rethrows the operation's error
  work->wait();
}

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

}  // namespace

KTD_API const char* ktd_last_error() { return last_error.c_str(); }

// Which backends this build has: "gloo" or "gloo,nccl".
KTD_API const char* ktd_backends() {
#ifdef USE_C10D_NCCL
  return "gloo,nccl";
#else
  return "gloo";
#endif
}

// A TCPStore at host:port. The server (rank 0) also listens; with wait_workers it returns only
// once world - 1 clients have connected, or fails after timeout_ms. A client retries the
// connection until timeout_ms.
KTD_API void* ktd_store_open(const char* host, int port, int is_server, int world,
                             int64_t timeout_ms, int wait_workers) {
  void* out = nullptr;
  guarded([&] {
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(port);
    options.isServer = is_server != 0;
    options.numWorkers = static_cast<std::size_t>(world);
    options.waitWorkers = wait_workers != 0;
    options.timeout = std::chrono::milliseconds(timeout_ms);
    auto created = c10::make_intrusive<c10d::TCPStore>(std::string(host), options);
    out = static_cast<c10d::Store*>(created.release());
  });
  return out;
}

KTD_API void ktd_store_free(void* handle) {
  if (handle != nullptr) c10::intrusive_ptr<c10d::Store>::reclaim(store(handle));
}

// The timeout of this client's blocking get/wait calls.
KTD_API int ktd_store_set_timeout(void* handle, int64_t timeout_ms) {
  return guarded([&] { store(handle)->setTimeout(std::chrono::milliseconds(timeout_ms)); });
}

KTD_API int ktd_store_set(void* handle, const char* key, const std::uint8_t* value, int64_t length) {
  return guarded([&] {
    store(handle)->set(key, std::vector<std::uint8_t>(value, value + length));
  });
}

// Copies the value of key (waiting for it up to the store's timeout) into buffer; returns its
// length (which may exceed capacity: then only capacity bytes were copied), or -1.
KTD_API int64_t ktd_store_get(void* handle, const char* key, std::uint8_t* buffer,
                              int64_t capacity) {
  int64_t length = -1;
  int rc = guarded([&] {
    std::vector<std::uint8_t> value = store(handle)->get(key);
    length = static_cast<int64_t>(value.size());
    std::memcpy(buffer, value.data(), static_cast<std::size_t>(std::min(length, capacity)));
  });
  return rc == 0 ? length : -1;
}

// 1 when key exists, 0 when not, -1 on error; never waits.
KTD_API int ktd_store_check(void* handle, const char* key) {
  int found = 0;
  int rc = guarded([&] { found = store(handle)->check({key}) ? 1 : 0; });
  return rc == 0 ? found : -1;
}

// Atomically adds delta to the integer at key (created as 0) and returns the new value in *out.
KTD_API int ktd_store_add(void* handle, const char* key, int64_t delta, int64_t* out) {
  return guarded([&] { *out = store(handle)->add(key, delta); });
}

// A process group over the store, its keys under prefix. backend: "gloo" or "nccl". For gloo,
// devices is a comma-separated list of network interfaces (GLOO_SOCKET_IFNAME's syntax) or, when
// empty, the device for this host's name (falling back to loopback, as c10d does).
KTD_API void* ktd_group_new(void* store_handle, const char* prefix, const char* backend, int rank,
                            int world, int64_t timeout_ms, const char* devices) {
  void* out = nullptr;
  guarded([&] {
    auto base = c10::intrusive_ptr<c10d::Store>::reclaim_copy(store(store_handle));
    auto prefixed = c10::make_intrusive<c10d::PrefixStore>(prefix, base);
    auto timeout = std::chrono::milliseconds(timeout_ms);
    std::string name(backend);
    if (name == "gloo") {
      auto options = c10d::ProcessGroupGloo::Options::create(timeout);
      for (const auto& interface : split(devices)) {
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(interface));
      }
      if (options->devices.empty()) {
        options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      }
      auto created = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, rank, world, options);
      out = static_cast<c10d::Backend*>(created.release());
#ifdef USE_C10D_NCCL
    } else if (name == "nccl") {
      auto options = c10d::ProcessGroupNCCL::Options::create();
      options->timeout = timeout;
      auto created = c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, rank, world, options);
      out = static_cast<c10d::Backend*>(created.release());
#endif
    } else {
      throw std::invalid_argument("backend '" + name + "' is not in this build (it has " +
                                  ktd_backends() + ")");
    }
  });
  return out;
}

KTD_API void ktd_group_free(void* handle) {
  if (handle != nullptr) c10::intrusive_ptr<c10d::Backend>::reclaim(group(handle));
}

// op: c10d::ReduceOp::RedOpType (0 SUM, 1 AVG, 2 PRODUCT, 3 MIN, 4 MAX).
KTD_API int ktd_all_reduce(void* g, void* t, int op) {
  return guarded([&] {
    std::vector<at::Tensor> tensors{tensor(t)};
    c10d::AllreduceOptions options;
    options.reduceOp = reduce_op(op);
    wait(group(g)->allreduce(tensors, options));
  });
}

// out[i] = op over ranks of in[rank * n + i], n = out's numel; in has world * n elements.
KTD_API int ktd_reduce_scatter(void* g, void* out, void* in, int op) {
  return guarded([&] {
    c10d::ReduceScatterOptions options;
    options.reduceOp = reduce_op(op);
    wait(group(g)->_reduce_scatter_base(tensor(out), tensor(in), options));
  });
}

// out = the ins of all ranks concatenated in rank order; out has world * in's numel elements.
KTD_API int ktd_all_gather(void* g, void* out, void* in) {
  return guarded([&] {
    wait(group(g)->_allgather_base(tensor(out), tensor(in), c10d::AllgatherOptions()));
  });
}

KTD_API int ktd_broadcast(void* g, void* t, int root) {
  return guarded([&] {
    std::vector<at::Tensor> tensors{tensor(t)};
    c10d::BroadcastOptions options;
    options.rootRank = root;
    wait(group(g)->broadcast(tensors, options));
  });
}

KTD_API int ktd_barrier(void* g) {
  return guarded([&] { wait(group(g)->barrier(c10d::BarrierOptions())); });
}

// Tensor plumbing that libtorch's stable C interface lacks, for sharded parameters.

// t.data = source (what torch's `param.data = x` does): t keeps its identity and autograd flags
// but now views source's storage, shape and dtype. No version bump.
KTD_API int ktd_set_data(void* t, void* source) {
  return guarded([&] { tensor(t).set_data(tensor(source)); });
}

// t.grad = g: backward then accumulates into g in place (g may be a view of a flat buffer).
KTD_API int ktd_set_grad(void* t, void* g) {
  return guarded([&] { tensor(t).mutable_grad() = tensor(g); });
}

// t.grad = None.
KTD_API int ktd_clear_grad(void* t) {
  return guarded([&] { tensor(t).mutable_grad().reset(); });
}

// A new tensor (free it with ktd_tensor_free, or hand it to DJL) viewing t's bytes as a flat
// uint8 tensor. t must be contiguous.
KTD_API void* ktd_bytes_of(void* t) {
  void* out = nullptr;
  guarded([&] {
    const at::Tensor& source = tensor(t);
    TORCH_CHECK(source.is_contiguous(), "ktd_bytes_of: the tensor is not contiguous");
    out = new at::Tensor(source.view({-1}).view(at::kByte));
  });
  return out;
}

// t.data = the bytes [byte_offset, ...) of the flat uint8 tensor bytes, seen as dtype (a
// c10::ScalarType; -1 keeps t's) in t's shape. A parameter sharded away (ktd_release) comes back
// this way, possibly in another dtype (fp32 master weights of a model stored in bf16).
KTD_API int ktd_set_view(void* t, void* bytes, int64_t byte_offset, int dtype) {
  return guarded([&] {
    at::Tensor& target = tensor(t);
    at::ScalarType type = dtype < 0 ? target.scalar_type() : static_cast<at::ScalarType>(dtype);
    int64_t length = target.numel() * static_cast<int64_t>(c10::elementSize(type));
    at::Tensor view = tensor(bytes).narrow(0, byte_offset, length).view(type);
    target.set_data(view.view(target.sizes()));
  });
}

// t.data = one element of storage expanded to t's shape: t keeps its shape (DJL caches shapes)
// and identity, and no longer holds its memory.
KTD_API int ktd_release(void* t) {
  return guarded([&] {
    at::Tensor& target = tensor(t);
    target.set_data(at::empty({1}, target.options().requires_grad(false)).expand(target.sizes()));
  });
}

KTD_API void ktd_tensor_free(void* t) { delete static_cast<at::Tensor*>(t); }
