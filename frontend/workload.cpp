#include "frontend/workload.h"

namespace h4h {

const char* to_string(KernelClass c) {
  switch (c) {
    case KernelClass::conv: return "conv";
    case KernelClass::linear: return "linear";
    case KernelClass::matmul: return "matmul";
    case KernelClass::vector: return "vector";
    case KernelClass::pool: return "pool";
    case KernelClass::data_movement: return "data_movement";
  }
  return "?";
}

int64_t Workload::total_macs() const {
  int64_t sum = 0;
  for (const auto& k : kernels) sum += k.macs;
  return sum;
}

int64_t Workload::total_params() const {
  int64_t sum = 0;
  for (const auto& k : kernels) sum += k.param_elems;
  return sum;
}

}  // namespace h4h
