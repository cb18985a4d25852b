#pragma once
// Builds tiny ONNX models in code for pass and folding tests: every rule gets a graph
// small enough to check by hand.
#include <cstdint>
#include <string>
#include <vector>

#include "onnx/onnx_pb.h"

namespace h4h::test {

class ModelBuilder {
 public:
  explicit ModelBuilder(int opset = 13) {
    model_.set_ir_version(8);
    auto* imp = model_.add_opset_import();
    imp->set_domain("");
    imp->set_version(opset);
    model_.mutable_graph()->set_name("tiny");
  }

  // A graph input; a dim < 0 becomes the symbolic dim "batch" (or `sym` when given).
  ModelBuilder& input(const std::string& name, const std::vector<int64_t>& dims,
                      int32_t dtype = onnx::TensorProto::FLOAT, const std::string& sym = "batch") {
    auto* vi = model_.mutable_graph()->add_input();
    fill(vi, name, dims, dtype, sym);
    return *this;
  }
  ModelBuilder& output(const std::string& name) {
    auto* vi = model_.mutable_graph()->add_output();
    vi->set_name(name);
    vi->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    return *this;
  }
  // A parameter as in graph-only exports: a graph input without values.
  ModelBuilder& param(const std::string& name, const std::vector<int64_t>& dims) {
    return input(name, dims);
  }
  ModelBuilder& const_ints(const std::string& name, const std::vector<int64_t>& values) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(values.size()));
    for (auto v : values) t->add_int64_data(v);
    return *this;
  }
  ModelBuilder& const_float(const std::string& name, float value) {
    auto* t = model_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    t->add_float_data(value);
    return *this;
  }
  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& ins,
                        const std::vector<std::string>& outs, const std::string& name = "") {
    auto* n = model_.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? outs.front() : name);
    for (const auto& i : ins) n->add_input(i);
    for (const auto& o : outs) n->add_output(o);
    return *n;
  }
  static void attr_ints(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (auto x : v) a->add_ints(x);
  }
  static void attr_int(onnx::NodeProto& n, const std::string& name, int64_t v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void attr_float(onnx::NodeProto& n, const std::string& name, float v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  const onnx::ModelProto& model() const { return model_; }
  // For tests that write what the builder does not (initializers, malformed dims).
  onnx::ModelProto& mutable_model() { return model_; }

 private:
  static void fill(onnx::ValueInfoProto* vi, const std::string& name,
                   const std::vector<int64_t>& dims, int32_t dtype, const std::string& sym) {
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(dtype);
    auto* shape = tt->mutable_shape();
    for (auto d : dims) {
      auto* dim = shape->add_dim();
      if (d < 0) dim->set_dim_param(sym);
      else dim->set_dim_value(d);
    }
  }
  onnx::ModelProto model_;
};

}  // namespace h4h::test
