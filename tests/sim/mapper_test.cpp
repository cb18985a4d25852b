// Mapping rules per execution schema, residency of CIM weights, and the clear errors for
// networks that cannot be mapped.
#include <gtest/gtest.h>

#include "frontend/frontend.h"
#include "frontend/user_error.h"
#include "sim/mapper/mapper.h"

namespace h4h {
namespace {

std::string src(const std::string& rel) { return std::string(H4H_SOURCE_DIR) + "/" + rel; }
Workload model(const std::string& f) { return load_onnx_workload(src("tests/data/onnx/" + f), {}); }
ArchConfig arch(const std::string& f) { return load_arch_config(src("arch_configs/" + f)); }
SchemaSpec schema(Schema s) { SchemaSpec sp; sp.schema = s; return sp; }

int count(const Workload& w, const Mapping& m, KernelClass cls, Unit u) {
  int n = 0;
  for (size_t i = 0; i < w.kernels.size(); ++i)
    n += w.kernels[i].cls == cls && m.kernels[i].unit == u;
  return n;
}

TEST(Mapper, NpuOnlyPutsEveryGemmOnTheArray) {
  const Workload w = model("tiny_attention_op17.onnx");
  const Mapping m = map_workload(w, arch("hetero.yaml"), schema(Schema::npu_only));
  EXPECT_EQ(count(w, m, KernelClass::linear, Unit::npu), 6);  // q, k, v, proj, fc1, fc2
  EXPECT_EQ(count(w, m, KernelClass::matmul, Unit::npu), 2);  // QKᵀ and ·V
  EXPECT_EQ(count(w, m, KernelClass::linear, Unit::cim), 0);
  EXPECT_EQ(m.resident_macros, 0);
}

TEST(Mapper, CimStaticPutsStaticWeightsOnCimAndAttentionOnTheArray) {
  const Workload w = model("tiny_attention_op17.onnx");
  for (Schema s : {Schema::cim_static, Schema::hetero_parallel}) {
    const Mapping m = map_workload(w, arch("hetero.yaml"), schema(s));
    EXPECT_EQ(count(w, m, KernelClass::linear, Unit::cim), 6);
    EXPECT_EQ(count(w, m, KernelClass::matmul, Unit::npu), 2);
    for (size_t i = 0; i < w.kernels.size(); ++i) {
      if (w.kernels[i].cls == KernelClass::vector) {
        EXPECT_EQ(m.kernels[i].unit, Unit::vector);
      }
    }
  }
}

TEST(Mapper, ViewsCostNothingAndCopiesGoThroughDma) {
  const Workload w = model("shufflenet_v2_x1_0_op13.onnx");
  const Mapping m = map_workload(w, arch("hetero.yaml"), schema(Schema::npu_only));
  int views = 0, copies = 0;
  for (size_t i = 0; i < w.kernels.size(); ++i) {
    if (w.kernels[i].cls != KernelClass::data_movement) continue;
    EXPECT_EQ(m.kernels[i].unit, w.kernels[i].is_copy ? Unit::dma : Unit::none);
    (w.kernels[i].is_copy ? copies : views) += 1;
  }
  EXPECT_GT(views, 0);
  EXPECT_GT(copies, 0);  // channel shuffle transposes are real copies
}

TEST(Mapper, AttentionOnACimOnlyConfigIsAnErrorNamingTheKernel) {
  const Workload w = model("tiny_attention_op17.onnx");
  try {
    map_workload(w, arch("cim_only.yaml"), schema(Schema::cim_static));
    FAIL();
  } catch (const UserError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("matmul"), std::string::npos) << msg;
    EXPECT_NE(msg.find("two dynamic operands"), std::string::npos) << msg;
    EXPECT_NE(msg.find("npu.enabled: false"), std::string::npos) << msg;
  }
}

TEST(Mapper, CustomSchemaCanMoveAttentionToTheVectorUnit) {
  const Workload w = model("tiny_attention_op17.onnx");
  const SchemaSpec spec = parse_custom_schema("rules:\n  - class: matmul\n    unit: vector\n", "c.yaml");
  const Mapping m = map_workload(w, arch("cim_only.yaml"), spec);
  EXPECT_EQ(count(w, m, KernelClass::matmul, Unit::vector), 2);
  EXPECT_EQ(count(w, m, KernelClass::linear, Unit::cim), 6);
}

// A class rule is refused when read (tests/sim/adversarial_yaml_test.cpp); a name rule
// that happens to match a matmul is refused when the model is mapped.
TEST(Mapper, CustomRuleCannotPutDynamicOperandsOnCim) {
  const Workload w = model("tiny_attention_op17.onnx");
  EXPECT_THROW(parse_custom_schema("rules:\n  - class: matmul\n    unit: cim\n", "c.yaml"), UserError);
  const SchemaSpec spec = parse_custom_schema("rules:\n  - name: \".*\"\n    unit: cim\n", "c.yaml");
  EXPECT_THROW(map_workload(w, arch("hetero.yaml"), spec), UserError);
}

TEST(Mapper, CustomSchemaMistakesNameTheRule) {
  auto err = [](const std::string& y) -> std::string {
    try {
      parse_custom_schema(y, "c.yaml");
    } catch (const UserError& e) {
      return e.what();
    }
    return "(none)";
  };
  EXPECT_NE(err("rules:\n  - clas: conv\n    unit: npu\n").find("rules[0].clas: unknown key; did you mean 'class'?"),
            std::string::npos);
  EXPECT_NE(err("rules:\n  - class: conv\n    unit: gpu\n").find("rules[0].unit: 'gpu' is not one of"),
            std::string::npos);
  EXPECT_NE(err("rules:\n  - class: conv\n").find("sets nothing: give a 'unit'"),
            std::string::npos);
  EXPECT_NE(err("rules:\n  - name: \"(\"\n    unit: npu\n").find("not a valid regular expression"),
            std::string::npos);
}

TEST(Mapper, SchemaNamesAreValidatedWithASuggestion) {
  EXPECT_EQ(parse_schema("hetero_parallel"), Schema::hetero_parallel);
  EXPECT_EQ(parse_schema("auto"), Schema::auto_select);
  try {
    parse_schema("hetero_paralel");
    FAIL();
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'hetero_parallel'"), std::string::npos);
  }
}

TEST(Mapper, NpuOnlyOnAConfigWithoutTheArrayIsAnError) {
  EXPECT_THROW(map_workload(model("tiny_cnn_op13.onnx"), arch("cim_only.yaml"), schema(Schema::npu_only)),
               UserError);
  EXPECT_THROW(map_workload(model("tiny_cnn_op13.onnx"), arch("npu_only.yaml"), schema(Schema::cim_static)),
               UserError);
}

TEST(Mapper, SmallLayersStayResidentInCim) {
  // tiny_attention: q, k, v, proj (32×32: one tile each), fc1 (32×64: two column tiles of
  // 32 weights) and fc2 (64×32: one tile of 64 rows) on hetero's 8 macros: all pinned.
  const Workload w = model("tiny_attention_op17.onnx");
  const Mapping m = map_workload(w, arch("hetero.yaml"), schema(Schema::cim_static));
  for (size_t i = 0; i < w.kernels.size(); ++i) {
    if (m.kernels[i].unit == Unit::cim) {
      EXPECT_TRUE(m.kernels[i].cim_resident) << w.kernels[i].name;
    }
  }
  EXPECT_EQ(m.resident_macros, 7);
  EXPECT_EQ(m.scratch_macros, 1);
}

TEST(Mapper, ResidencyDoesNotStarveLayersThatAreReprogrammed) {
  // tiny_cnn: stem (1 tile), 8-channel depthwise (8 tiles), pointwise (1), linear (1) on 8
  // macros. Pinning the three small layers would leave the depthwise conv 5 macros and two
  // rounds; its weights are tiny, so keeping all 8 macros as scratch is estimated faster.
  const Workload w = model("tiny_cnn_op13.onnx");
  const Mapping m = map_workload(w, arch("hetero.yaml"), schema(Schema::cim_static));
  for (size_t i = 0; i < w.kernels.size(); ++i) {
    if (m.kernels[i].unit == Unit::cim) {
      EXPECT_EQ(m.kernels[i].cim.rounds, 1) << w.kernels[i].name;
    }
  }
}

TEST(Mapper, LargeNetworkKeepsAScratchMacroForLayersThatDoNotFit) {
  const Workload w = model("resnet50_op13.onnx");
  const ArchConfig a = arch("hetero.yaml");
  const Mapping m = map_workload(w, a, schema(Schema::cim_static));
  EXPECT_GE(m.scratch_macros, 1);
  EXPECT_EQ(m.resident_macros + m.scratch_macros, a.cim.macro_count);
  int64_t reprogrammed_bits = 0;
  for (size_t i = 0; i < w.kernels.size(); ++i)
    if (m.kernels[i].unit == Unit::cim && !m.kernels[i].cim_resident) {
      EXPECT_GT(m.kernels[i].cim.program_cycles, 0);
      reprogrammed_bits += m.kernels[i].cim.weight_write_bits;
    }
  // Most of ResNet-50's 25.5 M int8 weights cannot stay in 8 × 64 Kb.
  EXPECT_GT(reprogrammed_bits, 8LL * 20000000);
}

TEST(Mapper, AutoEstimateIsNoWorseThanEitherFixedSchema) {
  for (const char* f : {"mobilenet_v2_op13.onnx", "resnet18_op13.onnx", "tiny_attention_op17.onnx"}) {
    SCOPED_TRACE(f);
    const Workload w = model(f);
    auto total = [&](Schema s) {
      int64_t ns = 0;
      for (const auto& km : map_workload(w, arch("hetero.yaml"), schema(s)).kernels) ns += km.estimated_ns;
      return ns;
    };
    EXPECT_LE(total(Schema::auto_select), total(Schema::npu_only));
    EXPECT_LE(total(Schema::auto_select), total(Schema::cim_static));
  }
}

}  // namespace
}  // namespace h4h
