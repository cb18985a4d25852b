#pragma once
// Vector unit timing core: `lanes` SIMD lanes, each doing one lane-op per issue; an op kind
// costs its configured cycles per lane-op. A kernel is an element count and a per-element
// mix of lane-ops (softmax: max, subtract, exp, sum, divide). Plain C++: the NpuTile shell
// keeps the unit busy for these cycles.
#include <cstdint>
#include <string>

namespace h4h {

// Filled from the arch config (npu.vector.*), whose declaration table holds the defaults.
struct VectorUnitTiming {
  int64_t lanes = 0;             // elementwise operations per cycle
  int64_t add_cycles = 0, mul_cycles = 0, max_cycles = 0;  // cycles per lane-op, by kind
  int64_t exp_cycles = 0, div_cycles = 0, sqrt_cycles = 0;
};

// Lane-ops per element, by kind.
struct VectorOpMix {
  int64_t add = 0, mul = 0, max = 0, exp = 0, div = 0, sqrt = 0;
  int64_t lane_ops() const { return add + mul + max + exp + div + sqrt; }
};

// The mix for a kernel's op ("Softmax", "LayerNorm", "GELU", "Add", "MaxPool", ...).
// `known` is false for ops outside the table (they are charged one add per element).
VectorOpMix vector_op_mix(const std::string& op, bool* known = nullptr);

// Lane-ops once per normalized row, by kind: LayerNorm and InstanceNormalization take one
// reciprocal square root of the variance per row (a sqrt and a divide), which the
// per-element mix cannot express (it multiplies by the result). Zero for other ops.
VectorOpMix vector_row_mix(const std::string& op);

// Cycles for `elements` elements: ⌈elements / lanes⌉ issues, each costing the mix.
int64_t vector_cycles(const VectorUnitTiming& t, const VectorOpMix& mix, int64_t elements);

}  // namespace h4h
