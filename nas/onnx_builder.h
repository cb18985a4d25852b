#pragma once
// ONNX builder: any subnet (or one block of it, for the LUT) as an ONNX ModelProto at
// opset 17, graph only — parameters are graph inputs without values, as
// torch.onnx.export(export_params=False) writes them — with shapes inferred for every
// tensor. The ops are the ones PyTorch exports for the same modules (Conv, HardSwish,
// LayerNormalization, MatMul+Add, Softmax, exact GELU via Erf), so the model goes through
// the same frontend passes as any exported network. The batch axis is symbolic ("batch").
#include <string>

#include "nas/blocks.h"
#include "nas/search_space.h"
#include "nas/subnet.h"
#include "onnx/onnx_pb.h"

namespace h4h::nas {

onnx::ModelProto build_subnet_model(const SearchSpace& space, const Subnet& s);
// One block alone: input [batch, in_channels, in_size, in_size] → the block's output.
onnx::ModelProto build_block_model(const BlockInstance& b);

// Writes a model atomically (UserError when the path cannot be written).
void save_model(const onnx::ModelProto& m, const std::string& path);

}  // namespace h4h::nas
