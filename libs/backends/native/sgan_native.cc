// Training kernels for the wasm backend, run natively: convolutions and matrix products (im2col /
// col2im here, the products in the machine's optimised SGEMM (oneDNN, the library PyTorch's CPU
// convolutions use, else OpenBLAS), found at load time with dlopen so that building needs
// only a C++ compiler and Node's headers.
//
// The tensors are Float32Arrays over the wasm heap: the kernels read and write the wasm
// backend's buffers in place, with no copies in or out.
#include <node_api.h>
#include <dlfcn.h>
#include <omp.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

using DnnlSgemm = int (*)(char, char, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*, int64_t,
                          float, float*, int64_t);
using CblasSgemm = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*,
                            int);
using SetThreads = void (*)(int);

struct Blas {
  std::string name;
  DnnlSgemm dnnl = nullptr;
  CblasSgemm cblas = nullptr;
  SetThreads setThreads = nullptr;
};

Blas blas;
std::string loadError;

bool loadBlas() {
  if (void* lib = dlopen("libdnnl.so.2", RTLD_NOW | RTLD_LOCAL)) {
    blas.dnnl = reinterpret_cast<DnnlSgemm>(dlsym(lib, "dnnl_sgemm"));
    if (blas.dnnl != nullptr) {
      blas.name = "oneDNN";
      return true;
    }
  }
  for (const char* soname : {"libopenblas.so.0", "libopenblas.so"}) {
    if (void* lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL)) {
      blas.cblas = reinterpret_cast<CblasSgemm>(dlsym(lib, "cblas_sgemm"));
      blas.setThreads = reinterpret_cast<SetThreads>(dlsym(lib, "openblas_set_num_threads"));
      if (blas.cblas != nullptr) {
        blas.name = "OpenBLAS";
        return true;
      }
    }
  }
  loadError = "neither libdnnl.so.2 (apt-get install libdnnl2) nor libopenblas.so.0 (apt-get install libopenblas0) could be loaded";
  return false;
}

// oneDNN's JIT GEMM kernels can run with the stack pointer inside a heap buffer. An asynchronous
// signal delivered then (SIGTERM to a worker that is stopping) has its frame, several KB with the
// AVX-512 state, written below that pointer: into the heap, corrupting it (seen as "double free or
// corruption" at exit, and as a heap overflow under AddressSanitizer). Such signals therefore wait
// while a GEMM runs; faults (SIGSEGV, ...) are still delivered at once.
class AsyncSignalsDeferred {
 public:
  AsyncSignalsDeferred() {
    sigset_t deferred;
    sigfillset(&deferred);
    for (int fault : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT}) sigdelset(&deferred, fault);
    pthread_sigmask(SIG_BLOCK, &deferred, &previous_);
  }
  ~AsyncSignalsDeferred() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  AsyncSignalsDeferred(const AsyncSignalsDeferred&) = delete;
  AsyncSignalsDeferred& operator=(const AsyncSignalsDeferred&) = delete;

 private:
  sigset_t previous_;
};

// Row-major C = A(M x K, op) * B(K x N, op) + beta * C.
void sgemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
           int64_t ldb, float beta, float* c, int64_t ldc) {
  AsyncSignalsDeferred deferred;
  if (blas.dnnl != nullptr) {
    blas.dnnl(transA ? 'T' : 'N', transB ? 'T' : 'N', m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
  } else {
    constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;
    blas.cblas(kRowMajor, transA ? kTrans : kNoTrans, transB ? kTrans : kNoTrans, int(m), int(n), int(k), 1.0f, a,
               int(lda), b, int(ldb), beta, c, int(ldc));
  }
}

// NHWC convolution geometry, in the order the JS side packs it into an Int32Array.
struct Geometry {
  int64_t batch, inH, inW, inC, outH, outW, outC, fH, fW, strideH, strideW, padTop, padLeft, dilationH, dilationW;
  int64_t taps() const { return fH * fW * inC; }
  int64_t pixelsPerImage() const { return outH * outW; }
};
constexpr size_t kGeometryFields = 15;

}  // namespace

#include "conv_primitives.hpp"

namespace {

// The column buffer holds this many floats at most (64 MiB): whole images per chunk keep
// col2im's writes of different threads apart, and bound the memory the kernels add.
constexpr int64_t kColumnBudget = int64_t(16) << 20;

int64_t imagesPerChunk(const Geometry& g) {
  return std::max<int64_t>(1, std::min<int64_t>(g.batch, kColumnBudget / (g.pixelsPerImage() * g.taps())));
}

// Grow-only scratch buffers, one set per calling JS thread. OpenMP threads see their own (empty)
// thread_local copies, so parallel loops take the data pointer, never the vector.
thread_local std::vector<float> columns;

float* columnBuffer(const Geometry& g, int64_t images) {
  size_t need = size_t(images * g.pixelsPerImage() * g.taps());
  if (columns.size() < need) columns.resize(need);
  return columns.data();
}

// Runs body(first image, images, column buffer) over the batch in chunks that fit the column budget.
template <typename Body>
void forEachChunk(const Geometry& g, Body body) {
  int64_t step = imagesPerChunk(g);
  for (int64_t first = 0; first < g.batch; first += step) {
    int64_t images = std::min(step, g.batch - first);
    body(first, images, columnBuffer(g, images));
  }
}

// Visits each (output pixel, filter tap) of one image with the input pixel it reads (-1 for padding).
template <typename Visit>
void forEachTap(const Geometry& g, Visit visit) {
  for (int64_t oh = 0; oh < g.outH; oh++)
    for (int64_t ow = 0; ow < g.outW; ow++)
      for (int64_t kh = 0; kh < g.fH; kh++) {
        int64_t ih = oh * g.strideH + kh * g.dilationH - g.padTop;
        for (int64_t kw = 0; kw < g.fW; kw++) {
          int64_t iw = ow * g.strideW + kw * g.dilationW - g.padLeft;
          bool inside = ih >= 0 && ih < g.inH && iw >= 0 && iw < g.inW;
          visit((oh * g.outW + ow) * g.taps() + (kh * g.fW + kw) * g.inC, inside ? ih * g.inW + iw : -1);
        }
      }
}

void im2col(const Geometry& g, const float* x, int64_t firstImage, int64_t images, float* col) {
  int64_t imageIn = g.inH * g.inW * g.inC, imageCol = g.pixelsPerImage() * g.taps();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < images; i++) {
    const float* image = x + (firstImage + i) * imageIn;
    float* out = col + i * imageCol;
    forEachTap(g, [&](int64_t colOffset, int64_t pixel) {
      if (pixel < 0) std::memset(out + colOffset, 0, sizeof(float) * g.inC);
      else std::memcpy(out + colOffset, image + pixel * g.inC, sizeof(float) * g.inC);
    });
  }
}

void col2imAdd(const Geometry& g, const float* col, int64_t firstImage, int64_t images, float* dx) {
  int64_t imageIn = g.inH * g.inW * g.inC, imageCol = g.pixelsPerImage() * g.taps();
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < images; i++) {
    float* image = dx + (firstImage + i) * imageIn;
    const float* in = col + i * imageCol;
    forEachTap(g, [&](int64_t colOffset, int64_t pixel) {
      if (pixel < 0) return;
      float* target = image + pixel * g.inC;
      const float* source = in + colOffset;
      for (int64_t c = 0; c < g.inC; c++) target[c] += source[c];
    });
  }
}

// With a handful of output channels (the generator's last layer: 64 -> 1) a product with N = outC
// is mostly memory traffic over a 9x-inflated column buffer; these loops read x once instead.
constexpr int64_t kDirectMaxOutChannels = 4;

// w[taps, outC] -> [outC, taps]: one contiguous filter per output channel.
std::vector<float> filtersByOutChannel(const Geometry& g, const float* w) {
  std::vector<float> byOut(g.outC * g.taps());
  for (int64_t t = 0; t < g.taps(); t++)
    for (int64_t o = 0; o < g.outC; o++) byOut[o * g.taps() + t] = w[t * g.outC + o];
  return byOut;
}

float dot(const float* __restrict a, const float* __restrict b, int64_t n) {
  float sum = 0;
  for (int64_t i = 0; i < n; i++) sum += a[i] * b[i];
  return sum;
}

void axpy(float alpha, const float* __restrict x, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; i++) y[i] += alpha * x[i];
}

// Calls visit(image, output pixel, tap offset into a [taps] filter, input pixel offset into x) for
// every tap that reads inside the image, images split across threads.
template <typename Visit>
void forEachInsideTap(const Geometry& g, Visit visit) {
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < g.batch; b++) {
    forEachTap(g, [&](int64_t colOffset, int64_t pixel) {
      if (pixel < 0) return;
      int64_t outPixel = b * g.pixelsPerImage() + colOffset / g.taps();
      visit(b, outPixel, colOffset % g.taps(), (b * g.inH * g.inW + pixel) * g.inC);
    });
  }
}

void conv2dDirect(const Geometry& g, const float* x, const float* w, float* y) {
  std::vector<float> filters = filtersByOutChannel(g, w);
  std::memset(y, 0, sizeof(float) * g.batch * g.pixelsPerImage() * g.outC);
  forEachInsideTap(g, [&](int64_t, int64_t outPixel, int64_t tap, int64_t in) {
    for (int64_t o = 0; o < g.outC; o++) y[outPixel * g.outC + o] += dot(x + in, filters.data() + o * g.taps() + tap, g.inC);
  });
}

void conv2dBackpropInputDirect(const Geometry& g, const float* dy, const float* w, float* dx) {
  std::vector<float> filters = filtersByOutChannel(g, w);
  std::memset(dx, 0, sizeof(float) * g.batch * g.inH * g.inW * g.inC);
  forEachInsideTap(g, [&](int64_t, int64_t outPixel, int64_t tap, int64_t in) {
    for (int64_t o = 0; o < g.outC; o++) axpy(dy[outPixel * g.outC + o], filters.data() + o * g.taps() + tap, dx + in, g.inC);
  });
}

void conv2dBackpropFilterDirect(const Geometry& g, const float* x, const float* dy, float* dw) {
  int64_t size = g.outC * g.taps();
  std::vector<double> total(size, 0.0);
#pragma omp parallel
  {
    // Per image in float (short sums), across images in double.
    std::vector<float> image(size, 0.0f);
    std::vector<double> sum(size, 0.0);
#pragma omp for schedule(static)
    for (int64_t b = 0; b < g.batch; b++) {
      std::fill(image.begin(), image.end(), 0.0f);
      forEachTap(g, [&](int64_t colOffset, int64_t pixel) {
        if (pixel < 0) return;
        int64_t outPixel = b * g.pixelsPerImage() + colOffset / g.taps(), tap = colOffset % g.taps();
        const float* in = x + (b * g.inH * g.inW + pixel) * g.inC;
        for (int64_t o = 0; o < g.outC; o++) axpy(dy[outPixel * g.outC + o], in, image.data() + o * g.taps() + tap, g.inC);
      });
      for (int64_t i = 0; i < size; i++) sum[i] += image[i];
    }
#pragma omp critical
    for (int64_t i = 0; i < size; i++) total[i] += sum[i];
  }
  for (int64_t t = 0; t < g.taps(); t++)
    for (int64_t o = 0; o < g.outC; o++) dw[t * g.outC + o] = float(total[o * g.taps() + t]);
}

// Stride-1 convolutions without a column buffer. On a grid of gridH x gridW = (out + filter - 1)
// pixels per image, the input placed at (padTop, padLeft) and zeros around it, output pixel r reads
// tap (kh, kw) at grid row r + kh * gridW + kw: each tap is one SGEMM over shifted rows of the
// grid. Rows outside the output (the grid's margins) are computed and dropped; that costs ~15% more
// products on the SGAN's layers and saves writing and reading a 9x column buffer (~230 MB at batch 64).
struct Grid {
  const Geometry& g;
  int64_t height, width;
  explicit Grid(const Geometry& geometry)
      : g(geometry), height(geometry.outH + geometry.fH - 1), width(geometry.outW + geometry.fW - 1) {}
  int64_t pixels() const { return g.batch * height * width; }
  // Rows every tap can read without leaving the grid; covers every output pixel.
  int64_t rows() const { return pixels() - ((g.fH - 1) * width + (g.fW - 1)); }
  int64_t tapOffset(int64_t kh, int64_t kw) const { return kh * width + kw; }
};

// The grid's margins are wasted products: at 28x28 (15% more) the saved column buffer wins, at 14x14
// (31%) the two paths measured equal, at 7x7 (65%) the grid lost by a third.
constexpr double kMaxGridWaste = 1.25;

bool gridApplies(const Geometry& g) {
  double waste = double((g.outH + g.fH - 1) * (g.outW + g.fW - 1)) / double(g.outH * g.outW);
  return g.strideH == 1 && g.strideW == 1 && g.dilationH == 1 && g.dilationW == 1 && g.padTop < g.fH &&
         g.padLeft < g.fW && g.outC > kDirectMaxOutChannels && waste <= kMaxGridWaste;
}

thread_local std::vector<float> gridInput, gridOutput;

// Copies image rows/columns [0, rows) x [0, cols) of `source` (channels c) onto the grid at (top, left).
void toGrid(const Grid& grid, const float* source, int64_t srcH, int64_t srcW, int64_t c, int64_t top, int64_t left,
            std::vector<float>& target) {
  target.assign(size_t(grid.pixels() * c), 0.0f);
  float* out = target.data();
  int64_t rows = std::min(srcH, grid.height - top), cols = std::min(srcW, grid.width - left);
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < grid.g.batch; b++)
    for (int64_t i = 0; i < rows; i++)
      std::memcpy(out + ((b * grid.height + top + i) * grid.width + left) * c,
                  source + ((b * srcH + i) * srcW) * c, sizeof(float) * cols * c);
}

void conv2dOnGrid(const Geometry& g, const float* x, const float* w, float* y) {
  Grid grid(g);
  toGrid(grid, x, g.inH, g.inW, g.inC, g.padTop, g.padLeft, gridInput);
  gridOutput.resize(size_t(grid.pixels() * g.outC));
  for (int64_t kh = 0, tap = 0; kh < g.fH; kh++)
    for (int64_t kw = 0; kw < g.fW; kw++, tap++)
      sgemm(false, false, grid.rows(), g.outC, g.inC, gridInput.data() + grid.tapOffset(kh, kw) * g.inC, g.inC,
            w + tap * g.inC * g.outC, g.outC, tap == 0 ? 0.0f : 1.0f, gridOutput.data(), g.outC);
  const float* computed = gridOutput.data();
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < g.batch; b++)
    for (int64_t i = 0; i < g.outH; i++)
      std::memcpy(y + ((b * g.outH + i) * g.outW) * g.outC, computed + ((b * grid.height + i) * grid.width) * g.outC,
                  sizeof(float) * g.outW * g.outC);
}

void conv2dBackpropFilterOnGrid(const Geometry& g, const float* x, const float* dy, float* dw) {
  Grid grid(g);
  toGrid(grid, x, g.inH, g.inW, g.inC, g.padTop, g.padLeft, gridInput);
  toGrid(grid, dy, g.outH, g.outW, g.outC, 0, 0, gridOutput);  // zeros in the margins: they add nothing
  for (int64_t kh = 0, tap = 0; kh < g.fH; kh++)
    for (int64_t kw = 0; kw < g.fW; kw++, tap++)
      sgemm(true, false, g.inC, g.outC, grid.rows(), gridInput.data() + grid.tapOffset(kh, kw) * g.inC, g.inC,
            gridOutput.data(), g.outC, 0.0f, dw + tap * g.inC * g.outC, g.outC);
}

// Runs body(first image, images, columns) with the chunk's im2col of x already in `columns`.
template <typename Body>
void forEachColumnChunk(const Geometry& g, const float* x, Body body) {
  forEachChunk(g, [&](int64_t first, int64_t images, float* col) {
    im2col(g, x, first, images, col);
    body(first, images, col);
  });
}

// y[rows, outC] = columns(x)[rows, taps] * w[taps, outC]
void conv2d(const Geometry& g, const float* x, const float* w, float* y) {
  if (g.outC <= kDirectMaxOutChannels) return conv2dDirect(g, x, w, y);
  if (gridApplies(g)) return conv2dOnGrid(g, x, w, y);
  int64_t rowsPerImage = g.pixelsPerImage();
  forEachColumnChunk(g, x, [&](int64_t first, int64_t images, const float* col) {
    sgemm(false, false, images * rowsPerImage, g.outC, g.taps(), col, g.taps(), w, g.outC, 0.0f,
          y + first * rowsPerImage * g.outC, g.outC);
  });
}

// dw[taps, outC] = sum over chunks of columns(x)^T * dy
void conv2dBackpropFilter(const Geometry& g, const float* x, const float* dy, float* dw) {
  if (g.outC <= kDirectMaxOutChannels) return conv2dBackpropFilterDirect(g, x, dy, dw);
  if (gridApplies(g)) return conv2dBackpropFilterOnGrid(g, x, dy, dw);
  int64_t rowsPerImage = g.pixelsPerImage();
  forEachColumnChunk(g, x, [&](int64_t first, int64_t images, const float* col) {
    sgemm(true, false, g.taps(), g.outC, images * rowsPerImage, col, g.taps(), dy + first * rowsPerImage * g.outC,
          g.outC, first == 0 ? 0.0f : 1.0f, dw, g.outC);
  });
}

// With stride 1, dx is the forward convolution of dy with the filter flipped in space and its
// channels swapped, padded by (filter - 1 - pad): one product with N = inC and K = taps(dy), which
// SGEMM runs about twice as fast as the N = taps, K = outC product plus col2im of the general path.
void conv2dBackpropInputAsConvolution(const Geometry& g, const float* dy, const float* w, float* dx) {
  Geometry t{g.batch, g.outH, g.outW, g.outC, g.inH, g.inW, g.inC, g.fH, g.fW, 1, 1,
             g.fH - 1 - g.padTop, g.fW - 1 - g.padLeft, 1, 1};
  std::vector<float> flipped(g.fH * g.fW * g.inC * g.outC);
  for (int64_t kh = 0; kh < g.fH; kh++)
    for (int64_t kw = 0; kw < g.fW; kw++)
      for (int64_t i = 0; i < g.inC; i++)
        for (int64_t o = 0; o < g.outC; o++)
          flipped[((kh * g.fW + kw) * g.outC + o) * g.inC + i] =
              w[(((g.fH - 1 - kh) * g.fW + (g.fW - 1 - kw)) * g.inC + i) * g.outC + o];
  conv2d(t, dy, flipped.data(), dx);
}

// dx = col2im(dy * w^T)
void conv2dBackpropInput(const Geometry& g, const float* dy, const float* w, float* dx) {
  if (g.outC <= kDirectMaxOutChannels) return conv2dBackpropInputDirect(g, dy, w, dx);
  bool unitSteps = g.strideH == 1 && g.strideW == 1 && g.dilationH == 1 && g.dilationW == 1;
  if (unitSteps && g.padTop < g.fH && g.padLeft < g.fW) return conv2dBackpropInputAsConvolution(g, dy, w, dx);
  std::memset(dx, 0, sizeof(float) * g.batch * g.inH * g.inW * g.inC);
  int64_t rowsPerImage = g.pixelsPerImage();
  forEachChunk(g, [&](int64_t first, int64_t images, float* col) {
    sgemm(false, true, images * rowsPerImage, g.taps(), g.outC, dy + first * rowsPerImage * g.outC, g.outC, w,
          g.outC, 0.0f, col, g.taps());
    col2imAdd(g, col, first, images, dx);
  });
}

// Sums over any axes but the innermost, in double precision. The shape arrives collapsed into
// groups of adjacent axes that are all reduced or all kept; the last group is kept (contiguous).
struct Group {
  int64_t size, inStride, outStride;
  bool reduced;
};

void accumulate(const std::vector<Group>& groups, size_t level, const float* x, double* acc) {
  const Group& g = groups[level];
  if (level + 1 == groups.size()) {
    for (int64_t c = 0; c < g.size; c++) acc[c] += x[c];
    return;
  }
  for (int64_t i = 0; i < g.size; i++) accumulate(groups, level + 1, x + i * g.inStride, acc + i * g.outStride);
}

constexpr int64_t kParallelFrom = 1 << 18;  // below this, waking a second thread costs more than it saves

void reduceSum(const std::vector<Group>& groups, const float* x, float* out, int64_t outSize, double scale) {
  const Group& first = groups[0];
  const int64_t inSize = first.size * first.inStride;
  if (!first.reduced) {
    // Each slice of the first axis group owns its own part of the output.
#pragma omp parallel if (inSize >= kParallelFrom)
    {
      std::vector<double> acc(first.outStride);
#pragma omp for schedule(static)
      for (int64_t i = 0; i < first.size; i++) {
        std::fill(acc.begin(), acc.end(), 0.0);
        accumulate(groups, 1, x + i * first.inStride, acc.data());
        for (int64_t c = 0; c < first.outStride; c++) out[i * first.outStride + c] = float(acc[c] * scale);
      }
    }
    return;
  }
  // Reduced first group: each thread sums a range of it into its own partial, then the partials add up.
  std::vector<double> total(outSize, 0.0);
#pragma omp parallel if (inSize >= kParallelFrom)
  {
    std::vector<double> acc(outSize, 0.0);
#pragma omp for schedule(static) nowait
    for (int64_t i = 0; i < first.size; i++) {
      accumulate(groups, 1, x + i * first.inStride, acc.data());
    }
#pragma omp critical
    for (int64_t c = 0; c < outSize; c++) total[c] += acc[c];
  }
  for (int64_t c = 0; c < outSize; c++) out[c] = float(total[c] * scale);
}

// Element-wise ops. An operand is the full tensor, a scalar, or a vector repeated along the
// output's innermost `inner` elements (a per-channel parameter against an NHWC tensor).
enum Operand { kFull = 0, kScalar = 1, kVector = 2 };

template <int A, int B, typename Out, typename F>
void binaryLoop(const float* a, const float* b, Out* out, int64_t n, int64_t inner, int64_t groupRows, F f) {
  if (A != kVector && B != kVector) {
#pragma omp parallel for simd schedule(static) if (n >= kParallelFrom)
    for (int64_t i = 0; i < n; i++) out[i] = f(A == kScalar ? a[0] : a[i], B == kScalar ? b[0] : b[i]);
    return;
  }
  int64_t rows = n / inner;
#pragma omp parallel for schedule(static) if (n >= kParallelFrom)
  for (int64_t r = 0; r < rows; r++) {
    // A vector operand's row: one per `groupRows` output rows ([n, 1, 1, c] against [n, h, w, c]).
    const float* ar = A == kFull ? a + r * inner : A == kVector ? a + (r / groupRows) * inner : a;
    const float* br = B == kFull ? b + r * inner : B == kVector ? b + (r / groupRows) * inner : b;
    Out* o = out + r * inner;
#pragma omp simd
    for (int64_t c = 0; c < inner; c++) o[c] = f(A == kScalar ? ar[0] : ar[c], B == kScalar ? br[0] : br[c]);
  }
}

template <typename Out, typename F>
bool binary(int aMode, int bMode, const float* a, const float* b, Out* out, int64_t n, int64_t inner,
            int64_t groupRows, F f) {
  switch (aMode * 3 + bMode) {
    case kFull * 3 + kFull: binaryLoop<kFull, kFull>(a, b, out, n, inner, groupRows, f); return true;
    case kFull * 3 + kScalar: binaryLoop<kFull, kScalar>(a, b, out, n, inner, groupRows, f); return true;
    case kFull * 3 + kVector: binaryLoop<kFull, kVector>(a, b, out, n, inner, groupRows, f); return true;
    case kScalar * 3 + kFull: binaryLoop<kScalar, kFull>(a, b, out, n, inner, groupRows, f); return true;
    case kVector * 3 + kFull: binaryLoop<kVector, kFull>(a, b, out, n, inner, groupRows, f); return true;
    default: return false;
  }
}

// Splits [0, n) across the OpenMP threads; the ranges' loops are plain functions over restrict
// pointers, which GCC vectorises where the same loop inside an OpenMP region stays scalar.
template <typename Body>
void parallelRanges(int64_t n, Body body) {
  if (n < kParallelFrom) {
    body(0, n);
    return;
  }
#pragma omp parallel
  {
    int64_t thread = omp_get_thread_num(), threads = omp_get_num_threads();
    body(n * thread / threads, n * (thread + 1) / threads);
  }
}

void leakyReluRange(const float* __restrict x, float* __restrict out, int64_t n, float alpha) {
  for (int64_t i = 0; i < n; i++) out[i] = x[i] < 0.0f ? x[i] * alpha : x[i];
}

void squareRange(const float* __restrict x, float* __restrict out, int64_t n) {
  for (int64_t i = 0; i < n; i++) out[i] = x[i] * x[i];
}

// max(0, x) as tfjs's cpu backend has it: +0 for negatives, -0 and -infinity (leakyRelu with slope 0
// gives -0, and NaN at -infinity); NaN passes through.
void reluRange(const float* __restrict x, float* __restrict out, int64_t n) {
  for (int64_t i = 0; i < n; i++) out[i] = x[i] > 0.0f || x[i] != x[i] ? x[i] : 0.0f;
}

uint64_t splitmix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// out = x + std * N(0, 1) for the pairs [begin, end): pair p's two draws come from (seed, p) alone,
// by Box-Muller on two 24-bit uniforms of splitmix64, so the values do not depend on the threads.
void gaussianNoiseRange(const float* __restrict x, float* __restrict out, int64_t n, int64_t begin, int64_t end,
                        uint64_t seed, float std) {
  constexpr float kUnit = 1.0f / 16777216.0f;
  constexpr float kTwoPi = 6.28318530717958647692f;
  for (int64_t pair = begin; pair < end; pair++) {
    uint64_t bits = splitmix64(seed * 0x100000001b3ull + uint64_t(pair));
    float u = float((bits >> 40) + 1) * kUnit;  // (0, 1]: the logarithm stays finite
    float angle = kTwoPi * float(bits & 0xffffffull) * kUnit;
    float radius = std * std::sqrt(-2.0f * std::log(u));
    int64_t i = 2 * pair;
    out[i] = x[i] + radius * std::cos(angle);
    if (i + 1 < n) out[i + 1] = x[i + 1] + radius * std::sin(angle);
  }
}

// A bitwise blend, exact for every float (NaN and infinities included).
void selectRange(const uint8_t* __restrict condition, const uint32_t* __restrict t, const uint32_t* __restrict e,
                 uint32_t* __restrict out, int64_t n) {
  for (int64_t i = 0; i < n; i++) {
    uint32_t mask = 0u - uint32_t(condition[i] != 0);
    out[i] = (t[i] & mask) | (e[i] & ~mask);
  }
}

enum BinaryOp { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3, kGreater = 4 };

bool runBinary(int op, int aMode, int bMode, const float* a, const float* b, void* out, int64_t n, int64_t inner,
               int64_t groupRows) {
  float* f = static_cast<float*>(out);
  switch (op) {
    case kAdd: return binary(aMode, bMode, a, b, f, n, inner, groupRows, [](float x, float y) { return x + y; });
    case kSub: return binary(aMode, bMode, a, b, f, n, inner, groupRows, [](float x, float y) { return x - y; });
    case kMul: return binary(aMode, bMode, a, b, f, n, inner, groupRows, [](float x, float y) { return x * y; });
    case kDiv: return binary(aMode, bMode, a, b, f, n, inner, groupRows, [](float x, float y) { return x / y; });
    case kGreater:
      return binary(aMode, bMode, a, b, static_cast<uint8_t*>(out), n, inner, groupRows,
                    [](float x, float y) { return uint8_t(x > y); });
    default: return false;
  }
}

// Batch norm over every axis but the innermost (channels), training mode, in two passes each way
// instead of the ~10 element-wise kernels of its formula; sums in double.
// Per-channel sums of f(row, channel) over all rows, split across threads.
template <typename F>
void channelSums(int64_t rows, int64_t channels, double* first, double* second, F f) {
  std::fill(first, first + channels, 0.0);
  std::fill(second, second + channels, 0.0);
#pragma omp parallel
  {
    std::vector<double> a(channels, 0.0), b(channels, 0.0);
#pragma omp for schedule(static) nowait
    for (int64_t r = 0; r < rows; r++)
      for (int64_t c = 0; c < channels; c++) f(r, c, a[c], b[c]);
#pragma omp critical
    for (int64_t c = 0; c < channels; c++) {
      first[c] += a[c];
      second[c] += b[c];
    }
  }
}

// out[r, c] = x[r, c] * scale[c] + (other ? other[r, c] * otherScale[c] : 0) + shift[c]
void affineRows(int64_t rows, int64_t channels, const float* x, const float* scale, const float* other,
                const float* otherScale, const float* shift, float* out) {
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * channels;
    float* o = out + r * channels;
    if (other == nullptr) {
      for (int64_t c = 0; c < channels; c++) o[c] = xr[c] * scale[c] + shift[c];
    } else {
      const float* yr = other + r * channels;
      for (int64_t c = 0; c < channels; c++) o[c] = xr[c] * scale[c] + yr[c] * otherScale[c] + shift[c];
    }
  }
}

// y = (x - mean) / sqrt(variance + eps) * gamma + beta, with the batch's mean and biased variance.
void batchNormForward(int64_t rows, int64_t channels, const float* x, const float* gamma, const float* beta,
                      double eps, float* y, float* mean, float* variance) {
  std::vector<double> sum(channels), squares(channels);
  channelSums(rows, channels, sum.data(), squares.data(), [&](int64_t r, int64_t c, double& a, double& b) {
    double v = x[r * channels + c];
    a += v;
    b += v * v;
  });
  std::vector<float> scale(channels), shift(channels);
  for (int64_t c = 0; c < channels; c++) {
    double m = sum[c] / double(rows), var = std::max(squares[c] / double(rows) - m * m, 0.0);
    double s = double(gamma[c]) / std::sqrt(var + eps);
    mean[c] = float(m);
    variance[c] = float(var);
    scale[c] = float(s);
    shift[c] = float(double(beta[c]) - m * s);
  }
  affineRows(rows, channels, x, scale.data(), nullptr, nullptr, shift.data(), y);
}

// dBeta = sum(dy), dGamma = sum(dy * xHat), dx = gamma / sigma * (dy - dBeta / n - xHat * dGamma / n).
void batchNormBackward(int64_t rows, int64_t channels, const float* dy, const float* x, const float* mean,
                       const float* variance, const float* gamma, double eps, float* dx, float* dGamma, float* dBeta) {
  std::vector<double> sumDy(channels), sumDyX(channels);
  channelSums(rows, channels, sumDy.data(), sumDyX.data(), [&](int64_t r, int64_t c, double& a, double& b) {
    double d = dy[r * channels + c];
    a += d;
    b += d * x[r * channels + c];
  });
  // dx = a * dy + b * x + k per channel, from expanding xHat = (x - mean) * invStd.
  std::vector<float> a(channels), b(channels), k(channels);
  double n = double(rows);
  for (int64_t c = 0; c < channels; c++) {
    double invStd = 1.0 / std::sqrt(double(variance[c]) + eps), m = mean[c];
    double gBeta = sumDy[c], gGamma = invStd * (sumDyX[c] - m * sumDy[c]);
    dBeta[c] = float(gBeta);
    dGamma[c] = float(gGamma);
    double g = double(gamma[c]) * invStd;
    a[c] = float(g);
    b[c] = float(-g * invStd * gGamma / n);
    k[c] = float(g * (-gBeta / n + m * invStd * gGamma / n));
  }
  affineRows(rows, channels, dy, a.data(), x, b.data(), k.data(), dx);
}

// One Adam step (torch.optim.Adam, no weight decay) for one parameter tensor, in one pass.
void adamRange(const float* __restrict param, const float* __restrict grad, const float* __restrict m,
               const float* __restrict v, float* __restrict newParam, float* __restrict newM, float* __restrict newV,
               int64_t n, float b1, float oneMinusB1, float b2, float oneMinusB2, float stepSize,
               float secondCorrection, float eps) {
  for (int64_t i = 0; i < n; i++) {
    float g = grad[i];
    float mi = b1 * m[i] + oneMinusB1 * g;
    float vi = b2 * v[i] + oneMinusB2 * (g * g);
    newM[i] = mi;
    newV[i] = vi;
    newParam[i] = param[i] - mi / (std::sqrt(vi) / secondCorrection + eps) * stepSize;
  }
}

// ---- N-API glue ----

template <size_t N>
struct Arguments {
  size_t count = N;
  napi_value values[N];
  napi_value operator[](size_t i) const { return values[i]; }
};

template <size_t N>
Arguments<N> arguments(napi_env env, napi_callback_info info) {
  Arguments<N> args;
  napi_get_cb_info(env, info, &args.count, args.values, nullptr, nullptr);
  return args;
}

napi_value throwError(napi_env env, const std::string& message) {
  napi_throw_error(env, "ERR_SGAN_NATIVE", message.c_str());
  return nullptr;
}

// The data and length of a typed array of the wanted type; false for anything else.
bool typedArray(napi_env env, napi_value value, napi_typedarray_type want, void** data, size_t* length) {
  napi_typedarray_type type;
  return napi_get_typedarray_info(env, value, &type, length, data, nullptr, nullptr) == napi_ok && type == want;
}

bool float32Array(napi_env env, napi_value value, size_t expected, float** data, const char* name, std::string& error) {
  size_t length;
  void* raw;
  if (!typedArray(env, value, napi_float32_array, &raw, &length)) {
    error = std::string(name) + " must be a Float32Array";
    return false;
  }
  if (length != expected) {
    error = std::string(name) + " holds " + std::to_string(length) + " floats where the geometry needs " +
            std::to_string(expected);
    return false;
  }
  *data = static_cast<float*>(raw);
  return true;
}

bool readGeometry(napi_env env, napi_value value, Geometry* g, std::string& error) {
  size_t length;
  void* raw;
  if (!typedArray(env, value, napi_int32_array, &raw, &length) || length != kGeometryFields) {
    error = "geometry must be an Int32Array of 15 fields";
    return false;
  }
  const int32_t* f = static_cast<const int32_t*>(raw);
  *g = Geometry{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13], f[14]};
  return true;
}

enum class Op { Forward, BackpropFilter, BackpropInput };

// Runs a convolution through oneDNN's primitives where they were built in and take the geometry;
// false sends the call to the SGEMM routes (also when oneDNN refuses it at run time).
#ifdef SGAN_CONV_PRIMITIVES
#define CONV_PRIMITIVE(name) conv_primitives::name
template <typename Run>
bool byPrimitive(Run run) {
  try {
    return run();
  } catch (const dnnl::error&) {
    return false;
  }
}
#else
#define CONV_PRIMITIVE(name) [](const Geometry&, const float*, const float*, float*) { return false; }
template <typename Run>
bool byPrimitive(Run run) {
  return run();
}
#endif

// (geometry, a, b, out): Forward (x, w, y), BackpropFilter (x, dy, dw), BackpropInput (dy, w, dx).
template <Op op>
napi_value convCall(napi_env env, napi_callback_info info) {
  auto args = arguments<4>(env, info);
  if (blas.name.empty()) return throwError(env, loadError);
  if (args.count != 4) return throwError(env, "expected (geometry, a, b, out)");
  std::string error;
  Geometry g;
  if (!readGeometry(env, args[0], &g, error)) return throwError(env, error);
  size_t xSize = g.batch * g.inH * g.inW * g.inC, ySize = g.batch * g.outH * g.outW * g.outC,
         wSize = g.taps() * g.outC;
  float *a, *b, *out;
  bool ok;
  switch (op) {
    case Op::Forward:
      ok = float32Array(env, args[1], xSize, &a, "x", error) && float32Array(env, args[2], wSize, &b, "filter", error) &&
           float32Array(env, args[3], ySize, &out, "y", error);
      if (ok && !byPrimitive([&] { return CONV_PRIMITIVE(forward)(g, a, b, out); })) conv2d(g, a, b, out);
      break;
    case Op::BackpropFilter:
      ok = float32Array(env, args[1], xSize, &a, "x", error) && float32Array(env, args[2], ySize, &b, "dy", error) &&
           float32Array(env, args[3], wSize, &out, "dw", error);
      if (ok && !byPrimitive([&] { return CONV_PRIMITIVE(backwardWeights)(g, a, b, out); })) conv2dBackpropFilter(g, a, b, out);
      break;
    case Op::BackpropInput:
      ok = float32Array(env, args[1], ySize, &a, "dy", error) &&
           float32Array(env, args[2], wSize, &b, "filter", error) && float32Array(env, args[3], xSize, &out, "dx", error);
      if (ok && !byPrimitive([&] { return CONV_PRIMITIVE(backwardData)(g, a, b, out); })) conv2dBackpropInput(g, a, b, out);
      break;
  }
  if (!ok) return throwError(env, error);
  return nullptr;
}

// (x, out, axisGroups, scale): axisGroups is an Int32Array of (size, reduced) pairs, outermost first.
napi_value sum(napi_env env, napi_callback_info info) {
  auto args = arguments<4>(env, info);
  if (args.count != 4) return throwError(env, "expected (x, out, axisGroups, scale)");
  size_t pairs;
  void* raw;
  if (!typedArray(env, args[2], napi_int32_array, &raw, &pairs) || pairs < 4 || pairs % 2 != 0) {
    return throwError(env, "axisGroups must be an Int32Array of at least two (size, reduced) pairs");
  }
  const int32_t* fields = static_cast<const int32_t*>(raw);
  std::vector<Group> groups(pairs / 2);
  for (size_t i = 0; i < groups.size(); i++) groups[i] = Group{fields[2 * i], 0, 0, fields[2 * i + 1] != 0};
  if (groups.back().reduced) return throwError(env, "the innermost axis group must be kept");
  int64_t inSize = 1, outSize = 1;
  for (size_t i = groups.size(); i-- > 0;) {
    groups[i].inStride = inSize;
    groups[i].outStride = groups[i].reduced ? 0 : outSize;
    inSize *= groups[i].size;
    if (!groups[i].reduced) outSize *= groups[i].size;
  }
  double scale;
  std::string error;
  float *x, *out;
  if (napi_get_value_double(env, args[3], &scale) != napi_ok) return throwError(env, "scale must be a number");
  if (!float32Array(env, args[0], size_t(inSize), &x, "x", error) ||
      !float32Array(env, args[1], size_t(outSize), &out, "out", error)) {
    return throwError(env, error);
  }
  reduceSum(groups, x, out, outSize, scale);
  return nullptr;
}

// (a, b, out, dims): dims = Int32Array [batchA, batchB, m, n, k, transposeA, transposeB]; a batch of 1
// broadcasts against the other operand's.
napi_value matMul(napi_env env, napi_callback_info info) {
  auto args = arguments<4>(env, info);
  if (blas.name.empty()) return throwError(env, loadError);
  size_t length;
  void* raw;
  if (args.count != 4 || !typedArray(env, args[3], napi_int32_array, &raw, &length) || length != 7) {
    return throwError(env, "expected (a, b, out, dims: Int32Array of 7)");
  }
  const int32_t* d = static_cast<const int32_t*>(raw);
  int64_t batchA = d[0], batchB = d[1], m = d[2], n = d[3], k = d[4];
  bool transA = d[5] != 0, transB = d[6] != 0;
  int64_t batch = std::max(batchA, batchB);
  std::string error;
  float *a, *b, *out;
  if (!float32Array(env, args[0], size_t(batchA * m * k), &a, "a", error) ||
      !float32Array(env, args[1], size_t(batchB * k * n), &b, "b", error) ||
      !float32Array(env, args[2], size_t(batch * m * n), &out, "out", error)) {
    return throwError(env, error);
  }
  for (int64_t i = 0; i < batch; i++) {
    sgemm(transA, transB, m, n, k, a + (batchA == 1 ? 0 : i) * m * k, transA ? m : k,
          b + (batchB == 1 ? 0 : i) * k * n, transB ? k : n, 0.0f, out + i * m * n, n);
  }
  return nullptr;
}

// (a, b, out, spec): spec = Int32Array [op, aMode, bMode, n, inner, groupRows]; out is a Float32Array,
// or a Uint8Array (tfjs bool) for Greater. A vector operand holds n / (inner * groupRows) rows of `inner`.
napi_value binaryOp(napi_env env, napi_callback_info info) {
  auto args = arguments<4>(env, info);
  void *a, *b, *out, *rawSpec;
  size_t aLength, bLength, outLength, specLength;
  if (args.count != 4 || !typedArray(env, args[3], napi_int32_array, &rawSpec, &specLength) || specLength != 6) {
    return throwError(env, "expected (a, b, out, spec: Int32Array of 6)");
  }
  const int32_t* spec = static_cast<const int32_t*>(rawSpec);
  int op = spec[0], aMode = spec[1], bMode = spec[2];
  int64_t n = spec[3], inner = spec[4], groupRows = spec[5];
  if (inner <= 0 || groupRows <= 0 || n % (inner * groupRows) != 0) return throwError(env, "binaryOp: inconsistent spec");
  auto expected = [&](int mode) { return size_t(mode == kFull ? n : mode == kScalar ? 1 : n / groupRows); };
  bool ok = typedArray(env, args[0], napi_float32_array, &a, &aLength) && aLength == expected(aMode) &&
            typedArray(env, args[1], napi_float32_array, &b, &bLength) && bLength == expected(bMode) &&
            typedArray(env, args[2], op == kGreater ? napi_uint8_array : napi_float32_array, &out, &outLength) &&
            outLength == size_t(n);
  if (!ok) return throwError(env, "binaryOp: operand types or lengths do not match the spec");
  if (!runBinary(op, aMode, bMode, static_cast<float*>(a), static_cast<float*>(b), out, n, inner, groupRows)) {
    return throwError(env, "binaryOp: unsupported op or operand combination");
  }
  return nullptr;
}

// (condition: Uint8Array, t, e, out): out = condition ? t : e, all the same length.
napi_value select(napi_env env, napi_callback_info info) {
  auto args = arguments<4>(env, info);
  void *condition, *t, *e, *out;
  size_t n, tLength, eLength, outLength;
  bool ok = args.count == 4 && typedArray(env, args[0], napi_uint8_array, &condition, &n) &&
            typedArray(env, args[1], napi_float32_array, &t, &tLength) && tLength == n &&
            typedArray(env, args[2], napi_float32_array, &e, &eLength) && eLength == n &&
            typedArray(env, args[3], napi_float32_array, &out, &outLength) && outLength == n;
  if (!ok) return throwError(env, "select expects (Uint8Array, Float32Array, Float32Array, Float32Array) of one length");
  parallelRanges(int64_t(n), [&](int64_t begin, int64_t end) {
    selectRange(static_cast<const uint8_t*>(condition) + begin, static_cast<const uint32_t*>(t) + begin,
                static_cast<const uint32_t*>(e) + begin, static_cast<uint32_t*>(out) + begin, end - begin);
  });
  return nullptr;
}

enum class Unary { LeakyRelu, Square, Relu };

// (x, out, alpha): alpha is the negative slope for leakyRelu, unused for the others.
template <Unary kOp>
napi_value unaryOp(napi_env env, napi_callback_info info) {
  auto args = arguments<3>(env, info);
  void *x, *out;
  size_t n, outLength;
  double alpha;
  bool ok = args.count == 3 && typedArray(env, args[0], napi_float32_array, &x, &n) &&
            typedArray(env, args[1], napi_float32_array, &out, &outLength) && outLength == n &&
            napi_get_value_double(env, args[2], &alpha) == napi_ok;
  if (!ok) return throwError(env, "expected (Float32Array, Float32Array of the same length, number)");
  parallelRanges(int64_t(n), [&](int64_t begin, int64_t end) {
    const float* input = static_cast<const float*>(x) + begin;
    float* output = static_cast<float*>(out) + begin;
    if (kOp == Unary::LeakyRelu) leakyReluRange(input, output, end - begin, float(alpha));
    else if (kOp == Unary::Square) squareRange(input, output, end - begin);
    else reluRange(input, output, end - begin);
  });
  return nullptr;
}

// (x, out, std, seed): out = x + std * N(0, 1), the draws a function of (seed, index) only.
napi_value gaussianNoise(napi_env env, napi_callback_info info) {
  auto args = arguments<4>(env, info);
  void *x, *out;
  size_t n, outLength;
  double std, seed;
  bool ok = args.count == 4 && typedArray(env, args[0], napi_float32_array, &x, &n) &&
            typedArray(env, args[1], napi_float32_array, &out, &outLength) && outLength == n &&
            napi_get_value_double(env, args[2], &std) == napi_ok && napi_get_value_double(env, args[3], &seed) == napi_ok &&
            seed >= 0 && seed < 18446744073709551616.0;
  if (!ok) return throwError(env, "gaussianNoise expects (Float32Array, Float32Array of the same length, std, seed >= 0)");
  int64_t pairs = (int64_t(n) + 1) / 2;
  parallelRanges(pairs, [&](int64_t begin, int64_t end) {
    gaussianNoiseRange(static_cast<const float*>(x), static_cast<float*>(out), int64_t(n), begin, end, uint64_t(seed), float(std));
  });
  return nullptr;
}

// Reads Float32Arrays from every argument but the last, and a number from the last.
template <size_t N>
bool arraysAndNumber(napi_env env, const Arguments<N>& args, float* (&data)[N - 1], size_t (&length)[N - 1], double* number) {
  if (args.count != N) return false;
  for (size_t i = 0; i + 1 < N; i++) {
    void* raw;
    if (!typedArray(env, args[i], napi_float32_array, &raw, &length[i])) return false;
    data[i] = static_cast<float*>(raw);
  }
  return napi_get_value_double(env, args[N - 1], number) == napi_ok;
}

// (x, gamma, beta, y, mean, variance, eps): x and y [rows * channels], the others [channels].
napi_value batchNormForwardCall(napi_env env, napi_callback_info info) {
  float* p[6];
  size_t len[6];
  double eps;
  bool ok = arraysAndNumber(env, arguments<7>(env, info), p, len, &eps);
  size_t n = ok ? len[0] : 0, c = ok ? len[1] : 0;
  if (!ok || c == 0 || n % c != 0 || len[3] != n || len[2] != c || len[4] != c || len[5] != c) {
    return throwError(env, "batchNormForward expects (x, gamma, beta, y, mean, variance, eps) with consistent lengths");
  }
  batchNormForward(int64_t(n / c), int64_t(c), p[0], p[1], p[2], eps, p[3], p[4], p[5]);
  return nullptr;
}

// (dy, x, mean, variance, gamma, dx, dGamma, dBeta, eps)
napi_value batchNormBackwardCall(napi_env env, napi_callback_info info) {
  float* p[8];
  size_t len[8];
  double eps;
  bool ok = arraysAndNumber(env, arguments<9>(env, info), p, len, &eps);
  size_t n = ok ? len[0] : 0, c = ok ? len[2] : 0;
  if (!ok || c == 0 || n % c != 0 || len[1] != n || len[5] != n || len[3] != c || len[4] != c || len[6] != c || len[7] != c) {
    return throwError(env, "batchNormBackward expects (dy, x, mean, variance, gamma, dx, dGamma, dBeta, eps) with consistent lengths");
  }
  batchNormBackward(int64_t(n / c), int64_t(c), p[0], p[1], p[2], p[3], p[4], eps, p[5], p[6], p[7]);
  return nullptr;
}

// (param, grad, m, v, newParam, newM, newV, hyper: Float64Array [b1, 1 - b1, b2, 1 - b2, stepSize,
// secondCorrection, eps]); 1 - b computed by the caller in double, as the op graph does.
napi_value adamUpdate(napi_env env, napi_callback_info info) {
  auto args = arguments<8>(env, info);
  float* p[7];
  size_t len[7];
  bool ok = args.count == 8;
  for (int i = 0; ok && i < 7; i++) {
    void* raw;
    ok = typedArray(env, args[i], napi_float32_array, &raw, &len[i]) && len[i] == len[0];
    p[i] = static_cast<float*>(raw);
  }
  void* rawHyper;
  size_t hyperLength;
  ok = ok && typedArray(env, args[7], napi_float64_array, &rawHyper, &hyperLength) && hyperLength == 7;
  if (!ok) return throwError(env, "adamUpdate expects 7 Float32Arrays of one length and a Float64Array of 7 hyperparameters");
  const double* h = static_cast<const double*>(rawHyper);
  parallelRanges(int64_t(len[0]), [&](int64_t begin, int64_t end) {
    adamRange(p[0] + begin, p[1] + begin, p[2] + begin, p[3] + begin, p[4] + begin, p[5] + begin, p[6] + begin,
              end - begin, float(h[0]), float(h[1]), float(h[2]), float(h[3]), float(h[4]), float(h[5]), float(h[6]));
  });
  return nullptr;
}

// (enabled: boolean) -> whether the convolution primitives are built in (and so now on or off).
napi_value setConvPrimitives(napi_env env, napi_callback_info info) {
  auto args = arguments<1>(env, info);
  bool enabled = false;
  if (args.count != 1 || napi_get_value_bool(env, args[0], &enabled) != napi_ok) {
    return throwError(env, "setConvPrimitives expects a boolean");
  }
  napi_value result;
#ifdef SGAN_CONV_PRIMITIVES
  conv_primitives::enabled = enabled;
  napi_get_boolean(env, true, &result);
#else
  napi_get_boolean(env, false, &result);
#endif
  return result;
}

napi_value setThreads(napi_env env, napi_callback_info info) {
  auto args = arguments<1>(env, info);
  int32_t threads = 0;
  if (args.count != 1 || napi_get_value_int32(env, args[0], &threads) != napi_ok || threads < 1) {
    return throwError(env, "setThreads expects a positive integer");
  }
  omp_set_num_threads(threads);
  if (blas.setThreads != nullptr) blas.setThreads(threads);
  {
    // Start the OpenMP pool now, with asynchronous signals blocked: its threads inherit that mask
    // for good, so no such signal ever lands on a pool thread inside a GEMM (see AsyncSignalsDeferred).
    AsyncSignalsDeferred deferred;
#pragma omp parallel
    { (void)omp_get_thread_num(); }
  }
  return nullptr;
}

napi_value stringValue(napi_env env, const std::string& s) {
  napi_value v;
  napi_create_string_utf8(env, s.c_str(), s.size(), &v);
  return v;
}

napi_value undefinedValue(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

napi_value init(napi_env env, napi_value exports) {
  bool loaded = loadBlas();
  napi_property_descriptor props[] = {
      {"conv2d", nullptr, convCall<Op::Forward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropFilter", nullptr, convCall<Op::BackpropFilter>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropInput", nullptr, convCall<Op::BackpropInput>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"matMul", nullptr, matMul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binaryOp", nullptr, binaryOp, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"select", nullptr, select, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"leakyRelu", nullptr, unaryOp<Unary::LeakyRelu>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"square", nullptr, unaryOp<Unary::Square>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"relu", nullptr, unaryOp<Unary::Relu>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"gaussianNoise", nullptr, gaussianNoise, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormForward", nullptr, batchNormForwardCall, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormBackward", nullptr, batchNormBackwardCall, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamUpdate", nullptr, adamUpdate, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sum", nullptr, sum, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setConvPrimitives", nullptr, setConvPrimitives, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, setThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"blas", nullptr, nullptr, nullptr, nullptr, loaded ? stringValue(env, blas.name) : undefinedValue(env), napi_enumerable,
       nullptr},
      {"loadError", nullptr, nullptr, nullptr, nullptr, loaded ? undefinedValue(env) : stringValue(env, loadError),
       napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
