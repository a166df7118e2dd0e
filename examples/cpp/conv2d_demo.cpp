// conv2d from C++: the vertical-edge example (SPEC.md section 7, item 1).
// A 6x6 image whose three left columns are 10 and right columns 0, convolved
// with the 3x3 kernel whose rows are [1, 0, -1], gives a 4x4 map whose every
// row is 0 30 30 0. Then the gradients of sum(y) through conv2d_backward.
// Exits non-zero when a result is not the expected one, so CI can run it.
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "convcore/convcore.h"

namespace {

// t: [1, 1, H, W]
void print_map(const char* title, const convcore::Tensor& t) {
  std::printf("%s %s\n", title, t.shape().str().c_str());
  const int64_t H = t.size(2), W = t.size(3);
  for (int64_t i = 0; i < H; ++i) {
    for (int64_t j = 0; j < W; ++j) std::printf(" %5g", t.data()[i * W + j]);
    std::printf("\n");
  }
}

bool check(const char* what, const convcore::Tensor& t, const std::vector<float>& expected) {
  bool ok = t.numel() == static_cast<int64_t>(expected.size());
  for (size_t i = 0; ok && i < expected.size(); ++i) ok = t.data()[i] == expected[i];
  if (!ok) std::fprintf(stderr, "FAILED: %s is not the expected result\n", what);
  return ok;
}

}  // namespace

int main() {
  using convcore::Shape;
  using convcore::Tensor;
  std::printf("convcore %s, instruction set %s, %d thread(s)\n", convcore::version(),
              convcore::isa_name(convcore::current_isa()), convcore::get_num_threads());

  // x: [1, 1, 6, 6]
  std::vector<float> image(36);
  for (int i = 0; i < 6; ++i)
    for (int j = 0; j < 6; ++j) image[i * 6 + j] = j < 3 ? 10.0f : 0.0f;
  Tensor x = Tensor::from_vector(image, Shape{1, 1, 6, 6});
  // w: [1, 1, 3, 3]
  Tensor w = Tensor::from_vector({1, 0, -1, 1, 0, -1, 1, 0, -1}, Shape{1, 1, 3, 3});

  // y: [1, 1, 4, 4]; stride 1, no padding (Conv2dOptions' defaults).
  Tensor y = convcore::conv2d(x, w);
  print_map("conv2d(x, w):", y);
  bool ok = check("conv2d(x, w)", y, std::vector<float>{0, 30, 30, 0, 0, 30, 30, 0,
                                                        0, 30, 30, 0, 0, 30, 30, 0});

  // The same with stride 2 and padding 1: Conv2dOptions mirrors PyTorch's arguments.
  Tensor y2 = convcore::conv2d(x, w, Tensor(), convcore::Conv2dOptions().set_stride(2).set_padding(1));
  print_map("conv2d(x, w, stride=2, padding=1):", y2);

  // Gradients of L = sum(y): grad_output is all ones. Each input pixel's
  // gradient is the sum of the kernel taps that touch it; the weight's is the
  // sum of the input patches; the bias's is the number of outputs.
  Tensor gy = Tensor::full(y.shape(), 1.0f);
  convcore::Conv2dGrads g = convcore::conv2d_backward(gy, x, w);
  print_map("dL/dx:", g.input);
  print_map("dL/dw:", g.weight);
  std::printf("dL/db: %g\n", g.bias.data()[0]);
  ok = check("dL/dw", g.weight, {120, 80, 40, 120, 80, 40, 120, 80, 40}) && ok;
  ok = check("dL/db", g.bias, {16}) && ok;

  // Bad arguments throw typed errors with a message that names them.
  try {
    convcore::conv2d(x, Tensor::zeros(Shape{1, 2, 3, 3}));
    std::fprintf(stderr, "FAILED: mismatched channels were accepted\n");
    ok = false;
  } catch (const std::invalid_argument& e) {  // convcore::ValueError or TypeError
    std::printf("error as expected: %s\n", e.what());
  }

  std::printf(ok ? "OK\n" : "FAILED\n");
  return ok ? 0 : 1;
}
