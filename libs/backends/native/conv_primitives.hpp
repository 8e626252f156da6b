// Convolutions through oneDNN's convolution primitives (the direct, blocked-layout JIT kernels that
// PyTorch's CPU convolutions use), where oneDNN's headers were there at build time (Debian
// libdnnl-dev). On the SGAN's layers they run about twice as fast as im2col + SGEMM. Activations stay
// NHWC in place; the filter (TensorFlow.js's [fH, fW, inC, outC], oneDNN's "hwio") is reordered to
// the layout each primitive asks for, per call. Primitives are created once per geometry and kept.
// Included by sgan_native.cc after Geometry and AsyncSignalsDeferred.
#pragma once

#if __has_include(<oneapi/dnnl/dnnl.hpp>)
#include <oneapi/dnnl/dnnl.hpp>

#include <array>
#include <map>
#include <memory>
#include <optional>

#define SGAN_CONV_PRIMITIVES 1

namespace conv_primitives {

using dnnl::memory;
using Tag = memory::format_tag;
using Type = memory::data_type;

// Switched off by tests, to exercise the SGEMM routes on the same geometries.
inline bool enabled = true;

struct Entry {
  memory::desc src, dst, weightsAny, weightsUser;
  memory::dims strides, padLeft, padRight;
  dnnl::convolution_forward::primitive_desc forwardDesc;
  std::optional<dnnl::convolution_forward> forward;
  std::optional<dnnl::convolution_backward_data::primitive_desc> dataDesc;
  std::optional<dnnl::convolution_backward_data> data;
  std::optional<dnnl::convolution_backward_weights::primitive_desc> weightsDesc;
  std::optional<dnnl::convolution_backward_weights> weights;
};

inline dnnl::engine& cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

inline dnnl::stream& cpuStream() {
  thread_local dnnl::stream stream(cpuEngine());
  return stream;
}

// Right/bottom padding implied by the output size; oneDNN takes no negative padding.
inline int64_t padEnd(int64_t out, int64_t stride, int64_t filter, int64_t in, int64_t padStart) {
  return (out - 1) * stride + filter - in - padStart;
}

inline bool applies(const Geometry& g) {
  return enabled && g.dilationH == 1 && g.dilationW == 1 &&
         padEnd(g.outH, g.strideH, g.fH, g.inH, g.padTop) >= 0 && padEnd(g.outW, g.strideW, g.fW, g.inW, g.padLeft) >= 0;
}

// One entry per geometry (per JS thread); nullptr where oneDNN refused it (the caller falls back).
inline Entry* entryFor(const Geometry& g) {
  thread_local std::map<std::array<int64_t, 15>, std::unique_ptr<Entry>> cache;
  std::array<int64_t, 15> key{g.batch, g.inH,     g.inW,     g.inC,    g.outH,      g.outW,         g.outC,        g.fH,
                              g.fW,    g.strideH, g.strideW, g.padTop, g.padLeft, g.dilationH, g.dilationW};
  auto found = cache.find(key);
  if (found != cache.end()) return found->second.get();
  std::unique_ptr<Entry> entry;
  try {
    auto e = std::make_unique<Entry>();
    e->src = memory::desc({g.batch, g.inC, g.inH, g.inW}, Type::f32, Tag::nhwc);
    e->dst = memory::desc({g.batch, g.outC, g.outH, g.outW}, Type::f32, Tag::nhwc);
    e->weightsAny = memory::desc({g.outC, g.inC, g.fH, g.fW}, Type::f32, Tag::any);
    e->weightsUser = memory::desc({g.outC, g.inC, g.fH, g.fW}, Type::f32, Tag::hwio);
    e->strides = {g.strideH, g.strideW};
    e->padLeft = {g.padTop, g.padLeft};
    e->padRight = {padEnd(g.outH, g.strideH, g.fH, g.inH, g.padTop), padEnd(g.outW, g.strideW, g.fW, g.inW, g.padLeft)};
    e->forwardDesc = dnnl::convolution_forward::primitive_desc(
        dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, e->src,
                                        e->weightsAny, e->dst, e->strides, e->padLeft, e->padRight),
        cpuEngine());
    entry = std::move(e);
  } catch (const dnnl::error&) {
    entry = nullptr;
  }
  return (cache[key] = std::move(entry)).get();
}

// `user` as `wanted`: itself when the layouts agree, else a reordered copy.
inline memory asLayout(memory user, const memory::desc& wanted) {
  if (user.get_desc() == wanted) return user;
  memory converted(wanted, cpuEngine());
  dnnl::reorder(user, converted).execute(cpuStream(), user, converted);
  return converted;
}

// Creates a backward primitive once; false where oneDNN refuses the geometry.
template <typename Primitive, typename MakeDesc>
bool ensure(std::optional<typename Primitive::primitive_desc>& desc, std::optional<Primitive>& primitive, MakeDesc makeDesc) {
  if (primitive) return true;
  try {
    desc.emplace(makeDesc());
  } catch (const dnnl::error&) {
    return false;
  }
  primitive.emplace(*desc);
  return true;
}

inline memory wrap(const memory::desc& desc, const float* data) {
  return memory(desc, cpuEngine(), const_cast<float*>(data));
}

inline bool forward(const Geometry& g, const float* x, const float* w, float* y) {
  Entry* e = applies(g) ? entryFor(g) : nullptr;
  if (e == nullptr) return false;
  AsyncSignalsDeferred deferred;
  if (!e->forward) e->forward.emplace(e->forwardDesc);
  memory weights = asLayout(wrap(e->weightsUser, w), e->forwardDesc.weights_desc());
  e->forward->execute(cpuStream(), {{DNNL_ARG_SRC, wrap(e->src, x)}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, wrap(e->dst, y)}});
  cpuStream().wait();
  return true;
}

inline bool backwardData(const Geometry& g, const float* dy, const float* w, float* dx) {
  Entry* e = applies(g) ? entryFor(g) : nullptr;
  if (e == nullptr) return false;
  AsyncSignalsDeferred deferred;
  bool ready = ensure(e->dataDesc, e->data, [&] {
    return dnnl::convolution_backward_data::primitive_desc(
        dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, e->src, e->weightsAny, e->dst,
                                              e->strides, e->padLeft, e->padRight),
        cpuEngine(), e->forwardDesc);
  });
  if (!ready) return false;
  memory weights = asLayout(wrap(e->weightsUser, w), e->dataDesc->weights_desc());
  e->data->execute(cpuStream(), {{DNNL_ARG_DIFF_DST, wrap(e->dst, dy)}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DIFF_SRC, wrap(e->src, dx)}});
  cpuStream().wait();
  return true;
}

inline bool backwardWeights(const Geometry& g, const float* x, const float* dy, float* dw) {
  Entry* e = applies(g) ? entryFor(g) : nullptr;
  if (e == nullptr) return false;
  AsyncSignalsDeferred deferred;
  bool ready = ensure(e->weightsDesc, e->weights, [&] {
    return dnnl::convolution_backward_weights::primitive_desc(
        dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, e->src, e->weightsAny, e->dst,
                                                 e->strides, e->padLeft, e->padRight),
        cpuEngine(), e->forwardDesc);
  });
  if (!ready) return false;
  memory user = wrap(e->weightsUser, dw);
  bool sameLayout = e->weightsDesc->diff_weights_desc() == e->weightsUser;
  memory computed = sameLayout ? user : memory(e->weightsDesc->diff_weights_desc(), cpuEngine());
  e->weights->execute(cpuStream(), {{DNNL_ARG_SRC, wrap(e->src, x)}, {DNNL_ARG_DIFF_DST, wrap(e->dst, dy)}, {DNNL_ARG_DIFF_WEIGHTS, computed}});
  if (!sameLayout) dnnl::reorder(computed, user).execute(cpuStream(), computed, user);
  cpuStream().wait();
  return true;
}

}  // namespace conv_primitives

#endif
