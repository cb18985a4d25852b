// SCALE-Sim topologies follow SCALE-Sim v2's own rules (scalesim/topology_utils.py); the
// fixtures in tests/data/scalesim/ are SCALE-Sim's own files (see the README there).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <sstream>

#include "frontend/scalesim_topology.h"
#include "frontend/user_error.h"
#include "tests/frontend/frontend_test_util.h"

namespace h4h {
namespace {

const std::string kConvHeader =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
    "Strides,\n";

std::string fixture(const std::string& name) {
  return test::source_path("tests/data/scalesim/" + name);
}

Workload load(const std::string& name) { return load_scalesim_topology(fixture(name)); }

Workload parse(const std::string& text) { return parse_scalesim_topology(text, "t.csv"); }

// Independent of the loader: SCALE-Sim's ceil((H - F + s) / s), written as ceil((H - F) / s) + 1.
int64_t out_size(int64_t h, int64_t f, int64_t s) { return (h - f) / s + ((h - f) % s != 0) + 1; }

// --- output size and MACs ---------------------------------------------------------------

TEST(ScaleSimTopology, OutputSizeFollowsNoPaddingRule) {
  Workload w = load("alexnet.csv");
  ASSERT_EQ(w.kernels.size(), 5u);
  // Conv1: ceil((224 - 11 + 4) / 4) = ceil(54.25) = 55. SCALE-Sim counts the partial last
  // window, so this is 55 and not floor((224 - 11) / 4) + 1 = 54.
  EXPECT_EQ(w.kernels[0].conv.out_h, 55);
  EXPECT_EQ(w.kernels[0].conv.out_w, 55);
  // 55·55 · 11·11·3 · 96 = 3025 · 363 · 96 = 105,415,200 MACs.
  EXPECT_EQ(w.kernels[0].macs, 105415200);
  // Conv2: 27 - 5 + 1 = 23; 23·23 · 5·5·96 · 256 = 529 · 2400 · 256 = 325,017,600.
  EXPECT_EQ(w.kernels[1].conv.out_h, 23);
  EXPECT_EQ(w.kernels[1].macs, 325017600);
}

TEST(ScaleSimTopology, ConvKernelFieldsFollowTheWorkloadContract) {
  // AlexNet Conv2: IFMAP 27x27x96, 256 filters of 5x5, stride 1 → 23x23x256.
  const Workload w = load("alexnet.csv");
  const Kernel& k = w.kernels[1];
  EXPECT_EQ(k.cls, KernelClass::conv);
  EXPECT_EQ(k.op, "Conv");
  EXPECT_EQ(k.conv.batch, 1);
  EXPECT_EQ(k.conv.in_channels, 96);
  EXPECT_EQ(k.conv.out_channels, 256);
  EXPECT_EQ(k.conv.kernel_h, 5);
  EXPECT_EQ(k.conv.kernel_w, 5);
  EXPECT_EQ(k.conv.stride_h, 1);
  EXPECT_EQ(k.conv.stride_w, 1);
  EXPECT_EQ(k.conv.groups, 1);
  EXPECT_EQ(k.output_shape, (Shape{1, 256, 23, 23}));
  EXPECT_EQ(k.input_shapes, (std::vector<Shape>{{1, 96, 27, 27}}));
  EXPECT_EQ(k.input_elems, 96 * 27 * 27);       // 69,984
  EXPECT_EQ(k.output_elems, 256 * 23 * 23);     // 135,424
  EXPECT_EQ(k.weight_elems, 256 * 96 * 5 * 5);  // 614,400 (SCALE-Sim has no bias)
  EXPECT_EQ(k.param_elems, k.weight_elems);
  // GEMM view, SCALE-Sim's get_transformed_mnk_dimensions: M = ofmap pixels,
  // N = filters, K = window.
  EXPECT_EQ(k.gemm.batch, 1);
  EXPECT_EQ(k.gemm.m, 23 * 23);
  EXPECT_EQ(k.gemm.n, 256);
  EXPECT_EQ(k.gemm.k, 96 * 5 * 5);
  EXPECT_EQ(k.macs, k.gemm.m * k.gemm.n * k.gemm.k);
}

TEST(ScaleSimTopology, WholeFileTotalEqualsFormulaSum) {
  // (H, F, s, C, N) of SCALE-Sim's alexnet.csv; all maps and filters are square.
  struct L {
    int64_t h, f, s, c, n;
  };
  const L layers[] = {{224, 11, 4, 3, 96},
                      {27, 5, 1, 96, 256},
                      {13, 3, 1, 256, 384},
                      {13, 3, 1, 384, 384},
                      {13, 3, 1, 384, 256}};
  int64_t expect = 0;
  for (const auto& l : layers) {
    const int64_t o = out_size(l.h, l.f, l.s);
    expect += o * o * l.f * l.f * l.c * l.n;
  }
  // Hand-summed: 105,415,200 + 325,017,600 + 2 · 107,053,056 + 160,579,584.
  EXPECT_EQ(expect, 805118496);
  EXPECT_EQ(load("alexnet.csv").total_macs(), expect);
}

TEST(ScaleSimTopology, RealMobileNetTotalEqualsFormulaSum) {
  // Recompute SCALE-Sim's MAC formula straight from the CSV text, without the loader.
  std::ifstream in(fixture("mobilenet.csv"));
  std::string line;
  std::getline(in, line);  // header
  int64_t expect = 0, rows = 0;
  while (std::getline(in, line)) {
    long long h, w, fh, fw, c, n, s;
    if (std::sscanf(line.c_str(), "%*[^,],%lld,%lld,%lld,%lld,%lld,%lld,%lld", &h, &w, &fh, &fw, &c,
                    &n, &s) != 7)
      continue;
    expect += out_size(h, fh, s) * out_size(w, fw, s) * fh * fw * c * n;
    ++rows;
  }
  EXPECT_EQ(rows, 27);
  EXPECT_EQ(expect, 565519488);
  const Workload wl = load("mobilenet.csv");
  EXPECT_EQ(wl.kernels.size(), 27u);
  EXPECT_EQ(wl.total_macs(), expect);
}

TEST(ScaleSimTopology, NinthFieldIsStrideWidth) {
  Workload w = parse(kConvHeader + "c,10,10,3,3,4,8,1,2,\n");
  EXPECT_EQ(w.kernels[0].conv.stride_h, 1);
  EXPECT_EQ(w.kernels[0].conv.stride_w, 2);
  EXPECT_EQ(w.kernels[0].conv.out_h, 8);  // 10 - 3 + 1
  EXPECT_EQ(w.kernels[0].conv.out_w, 5);  // ceil((10 - 3 + 2) / 2) = ceil(4.5)
  // Without it, Strides is used in both directions.
  EXPECT_EQ(parse(kConvHeader + "c,10,10,3,3,4,8,2,\n").kernels[0].conv.stride_w, 2);
}

// --- depthwise ----------------------------------------------------------------------------

TEST(ScaleSimTopology, DepthwiseLayerMapsPerGroup) {
  Workload w = load("mobilenet_dp.csv");
  const Kernel& dp = w.kernels[1];  // Conv2_DP, 114, 114, 3, 3, 32, 1, 1
  EXPECT_EQ(dp.name, "Conv2_DP");
  EXPECT_EQ(dp.conv.groups, 32);
  EXPECT_EQ(dp.conv.in_channels, 32);
  EXPECT_EQ(dp.conv.out_channels, 32);
  EXPECT_EQ(dp.conv.out_h, 112);
  // SCALE-Sim runs 32 single-channel layers of 112·112 · 3·3·1 · 1 = 112,896 MACs each.
  EXPECT_EQ(dp.macs, 32 * 112896);  // 3,612,672
  EXPECT_EQ(dp.weight_elems, 32 * 9);
  EXPECT_EQ(dp.input_elems, 32 * 114 * 114);
  EXPECT_EQ(dp.output_elems, 32 * 112 * 112);
  // GEMM view: one of SCALE-Sim's per-channel layers, repeated `groups` times.
  EXPECT_EQ(dp.gemm.batch, 32);
  EXPECT_EQ(dp.gemm.m, 112 * 112);
  EXPECT_EQ(dp.gemm.n, 1);
  EXPECT_EQ(dp.gemm.k, 9);
  // Stride-2 depthwise: ceil((114 - 3 + 2) / 2) = ceil(56.5) = 57.
  EXPECT_EQ(w.kernels[3].conv.out_h, 57);
  EXPECT_EQ(w.kernels[3].conv.groups, 64);
}

TEST(ScaleSimTopology, DepthwiseNumFilterIsFiltersPerChannel) {
  // SCALE-Sim expands DW_DP into 4 layers with Channels = 1 and Num Filter = 2 each:
  // 4 · (8·8 · 3·3·1 · 2) = 4 · 1152 = 4608 MACs, 8 output maps.
  const Kernel k = parse(kConvHeader + "DW_DP, 10, 10, 3, 3, 4, 2, 1,\n").kernels[0];
  EXPECT_EQ(k.conv.groups, 4);
  EXPECT_EQ(k.conv.out_channels, 8);
  EXPECT_EQ(k.output_shape, (Shape{1, 8, 8, 8}));
  EXPECT_EQ(k.macs, 4608);
  EXPECT_EQ(k.gemm.batch, 4);
  EXPECT_EQ(k.gemm.n, 2);
  EXPECT_EQ(k.gemm.k, 9);
  EXPECT_EQ(k.weight_elems, 4 * 2 * 9);
}

TEST(ScaleSimTopology, DepthwiseNeedsUpperCaseDPInTheName) {
  // SCALE-Sim's own mobilenet.csv writes depthwise layers as Channels = C, Num Filter = 1
  // without "DP"; SCALE-Sim simulates those as dense convolutions with one filter.
  const Workload w = load("mobilenet.csv");
  const Kernel& conv2 = w.kernels[1];  // Conv2, 112, 112, 3, 3, 32, 1, 1
  EXPECT_EQ(conv2.conv.groups, 1);
  EXPECT_EQ(conv2.conv.out_channels, 1);
  EXPECT_EQ(conv2.macs, 110 * 110 * 9 * 32);  // 3,484,800
  EXPECT_EQ(conv2.gemm.k, 9 * 32);
  // The match is case-sensitive, as Python's `'DP' in name`.
  EXPECT_EQ(parse(kConvHeader + "conv_dp, 10, 10, 3, 3, 4, 1, 1,\n").kernels[0].conv.groups, 1);
}

// --- GEMM ---------------------------------------------------------------------------------

TEST(ScaleSimTopology, GemmRowsBecomeLinearKernels) {
  Workload w = load("vit_s.csv");
  ASSERT_EQ(w.kernels.size(), 5u);
  const Kernel& l0 = w.kernels[0];  // L0, 196, 192, 384
  EXPECT_EQ(l0.cls, KernelClass::linear);
  EXPECT_EQ(l0.op, "Gemm");
  EXPECT_EQ(l0.gemm.batch, 1);
  EXPECT_EQ(l0.gemm.m, 196);              // output rows
  EXPECT_EQ(l0.gemm.n, 192);              // output columns (SCALE-Sim's filters)
  EXPECT_EQ(l0.gemm.k, 384);              // contraction (SCALE-Sim's window)
  EXPECT_EQ(l0.macs, 14450688);           // 196 · 192 · 384
  EXPECT_EQ(l0.weight_elems, 384 * 192);  // the static K x N operand
  EXPECT_EQ(l0.input_elems, 196 * 384);
  EXPECT_EQ(l0.output_elems, 196 * 192);
  EXPECT_EQ(l0.output_shape, (Shape{196, 192}));
  // Σ M·N·K = 196 · (192·384 + 1176·64 + 64·1176 + 1536·384 + 384·1536) = 196 · 1,403,904.
  EXPECT_EQ(w.total_macs(), 196LL * 1403904);
}

TEST(ScaleSimTopology, GemmFileWithCrlfAndLayerNameHeaderLoads) {
  // gpt2.csv: CRLF line ends, no newline after the last row. Totals past 2^32.
  Workload g = load("gpt2.csv");
  ASSERT_EQ(g.kernels.size(), 6u);
  EXPECT_EQ(g.kernels[5].name, "PW-FF-L2");
  const int64_t mnk[6][3] = {{1024, 1024, 64},   {1024, 64, 1024},   {1024, 4800, 1600},
                             {1024, 1600, 1600}, {1024, 3072, 1600}, {1024, 1600, 3072}};
  int64_t expect = 0;
  for (const auto& r : mnk) expect += r[0] * r[1] * r[2];
  EXPECT_EQ(expect, 20686307328);  // 1024 · 20,201,472
  EXPECT_EQ(g.total_macs(), expect);
  // test_mnk_input.csv says "Layer Name, M, N, K," and has a space in the layer name.
  Workload t = load("test_mnk_input.csv");
  ASSERT_EQ(t.kernels.size(), 1u);
  EXPECT_EQ(t.kernels[0].name, "Test 1");
  EXPECT_EQ(t.kernels[0].macs, 128 * 64 * 256);
}

// --- file structure -----------------------------------------------------------------------

TEST(ScaleSimTopology, LayersFormAChain) {
  Workload w = load("alexnet.csv");
  EXPECT_TRUE(w.kernels[0].producers.empty());
  for (size_t i = 1; i < w.kernels.size(); ++i)
    EXPECT_EQ(w.kernels[i].producers, (std::vector<int>{static_cast<int>(i) - 1}));
}

TEST(ScaleSimTopology, TrailingCommaAccepted) {
  const Workload with = parse(kConvHeader + "c, 10, 10, 3, 3, 4, 8, 1,\n");
  const Workload without = parse(kConvHeader + "c, 10, 10, 3, 3, 4, 8, 1\n");
  EXPECT_EQ(with.kernels[0].macs, 8 * 8 * 9 * 4 * 8);
  EXPECT_EQ(without.kernels[0].macs, with.kernels[0].macs);
}

TEST(ScaleSimTopology, CommentsBlankLinesAndTabsAccepted) {
  // SCALE-Sim's own mobilnet_paper.csv quirks: blank line, "#dw" comments, a row without
  // the trailing comma, tab indentation.
  Workload w = load("mobilnet_paper.csv");
  ASSERT_EQ(w.kernels.size(), 10u);
  EXPECT_EQ(w.kernels[1].name, "Conv2_dw");
  EXPECT_EQ(w.kernels[1].macs, 110 * 110 * 9);  // Channels = 1 as written: not "DP"
  EXPECT_EQ(w.kernels[6].name, "Conv11");
  EXPECT_EQ(w.kernels[6].conv.stride_h, 1);
  EXPECT_EQ(w.kernels[7].name, "Conv14_dw_0");
  EXPECT_EQ(w.model, "mobilnet_paper");
}

TEST(ScaleSimTopology, HeaderSpellingsFromScaleSimRepoAccepted) {
  const std::string row = "c,10,10,3,3,4,8,1,\n";
  // Excel BOM, "Num filters" and a "batch size" column the rows do not fill (transformer_fwd.csv).
  EXPECT_EQ(parse("\xEF\xBB\xBFLayer name,Ifmap height,ifmap width,filter height,filter width,"
                  "channels,num filters,strides,batch size,\n" +
                  row)
                .kernels.size(),
            1u);
  // DeepBench files: "Layer" and "IFMAP Width" twice.
  EXPECT_EQ(parse("Layer, IFMAP Width, IFMAP Width, Filter Height, Filter Width, Channels, "
                  "Num Filter, Strides,\n" +
                  row)
                .kernels.size(),
            1u);
  // What SCALE-Sim's write_topo_file emits: separate stride height and width columns.
  const Workload written = parse(
      "Layer name,IFMAP height,IFMAP width,Filter height,Filter width,Channels,Num filter,"
      "Stride height,Stride width,\nc,10,10,3,3,4,8,1,2,\n");
  EXPECT_EQ(written.kernels[0].conv.stride_w, 2);
  // No-break spaces after the commas (translation/gpt2.csv), as Python's strip() removes.
  const std::string nb = "\xC2\xA0";
  EXPECT_EQ(
      parse("Layer name," + nb + "IFMAP Height," + nb + "IFMAP Width," + nb + "Filter Height," +
            nb + "Filter Width," + nb + "Channels," + nb + "Num Filter," + nb + "Strides,\n" + row)
          .kernels.size(),
      1u);
  // Header without its trailing comma, upper case.
  EXPECT_EQ(parse("LAYER NAME, IFMAP HEIGHT, IFMAP WIDTH, FILTER HEIGHT, FILTER WIDTH, "
                  "CHANNELS, NUM FILTER, STRIDES\n" +
                  row)
                .kernels.size(),
            1u);
}

TEST(ScaleSimTopology, DenseSparsityColumnAccepted) {
  // SCALE-Sim's dev branch adds an N:M "Sparsity" column (topologies/sparsity/).
  const Workload c = parse(
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
      "Num Filter, Strides, Sparsity,\nc, 5, 5, 3, 3, 2, 6, 1, 1:1,\n");
  EXPECT_EQ(c.kernels[0].conv.stride_w, 1);
  EXPECT_EQ(c.kernels[0].macs, 3 * 3 * 9 * 2 * 6);
  const Workload g = parse("Layer Name, M, N, K, Sparsity,\nG, 3, 5, 16, 4:4,\n");
  EXPECT_EQ(g.kernels[0].macs, 3 * 5 * 16);
}

TEST(ScaleSimTopology, DuplicateLayerNamesMadeUnique) {
  // mlperf/Sentimental_seqLSTM.csv repeats "FC"; kernel names must be unique.
  // The suffix uses '#', which starts a comment in these files, so it cannot collide.
  const Workload w = parse(
      "Layer, M, N, K,\nFC, 1, 2, 3,\nX, 1, 2, 3,\nFC, 1, 2, 3,\n"
      "FC, 1, 2, 3,\n");
  ASSERT_EQ(w.kernels.size(), 4u);
  EXPECT_EQ(w.kernels[0].name, "FC");
  EXPECT_EQ(w.kernels[1].name, "X");
  EXPECT_EQ(w.kernels[2].name, "FC#2");
  EXPECT_EQ(w.kernels[3].name, "FC#3");
}

// Custom schema rules are checked against gemm_ops_of (tests/sim/adversarial_yaml_test.cpp).
TEST(ScaleSimTopology, EveryLayerCarriesAnOpOfItsClass) {
  for (const char* f : {"alexnet.csv", "mobilenet_dp.csv", "gpt2.csv", "vit_s.csv"}) {
    for (const auto& k : load(f).kernels) {
      const auto& ops = gemm_ops_of(k.cls);
      EXPECT_NE(std::find(ops.begin(), ops.end(), k.op), ops.end()) << f << ": " << k.name;
    }
  }
}

TEST(ScaleSimTopology, ModelIsTheFileStem) {
  EXPECT_EQ(load("alexnet.csv").model, "alexnet");
  EXPECT_EQ(parse_scalesim_topology("Layer,M,N,K,\nL,1,1,1,\n", "dir/v1.2/my.topo.csv").model,
            "my.topo");
}

// --- user errors ----------------------------------------------------------------------------

// Parses `text` as bad.csv and expects a one-line UserError containing every fragment.
void expect_error(const std::string& text, std::initializer_list<std::string> fragments) {
  try {
    parse_scalesim_topology(text, "bad.csv");
    ADD_FAILURE() << "expected a UserError for:\n" << text;
  } catch (const UserError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    for (const auto& f : fragments) EXPECT_NE(what.find(f), std::string::npos) << what;
  }
}

TEST(ScaleSimTopology, BadRowNamesFileLineAndColumn) {
  expect_error(kConvHeader + "c,10,10,3,3,4,8,1,\nd,10,x,3,3,4,8,1,\n",
               {"bad.csv:3: column 3 (IFMAP Width): expected an integer, got 'x'"});
  expect_error(kConvHeader + "c,10,10,3,3,4,8,1.5,\n", {"bad.csv:2: column 8 (Strides)", "'1.5'"});
  expect_error(kConvHeader + "c,10,,3,3,4,8,1,\n", {"bad.csv:2: column 3", "got ''"});
  expect_error("Layer, M, N, K,\nL0, 1, 2, 3,\nL1, 4, 5, seven,\n",
               {"bad.csv:3: column 4 (K): expected an integer, got 'seven'"});
}

TEST(ScaleSimTopology, NonPositiveDimensionNamesColumn) {
  expect_error(kConvHeader + "c,10,10,3,3,0,8,1,\n",
               {"bad.csv:2: column 6 (Channels): must be > 0, got 0"});
  expect_error(kConvHeader + "c,10,10,3,3,4,-8,1,\n",
               {"bad.csv:2: column 7 (Num Filter): must be > 0, got -8"});
  expect_error("Layer, M, N, K,\nL0, 0, 2, 3,\n", {"bad.csv:2: column 2 (M): must be > 0"});
}

TEST(ScaleSimTopology, WrongFieldCountNamesColumn) {
  expect_error(kConvHeader + "c,10,10,3,3,4,8,\n",
               {"bad.csv:2: column 8 (Strides) is missing", "got 7"});
  expect_error(kConvHeader + "c,10,10,3,3,4,8,1,1,1,\n",
               {"bad.csv:2: column 10: unexpected field '1'"});
  expect_error("Layer, M, N, K,\nL0,1,2\n", {"bad.csv:2: column 4 (K) is missing"});
  expect_error("Layer, M, N, K,\nL0,1,2,3,4\n", {"bad.csv:2: column 5: unexpected field '4'"});
  expect_error(kConvHeader + ",10,10,3,3,4,8,1,\n", {"bad.csv:2: column 1 (Layer name) is empty"});
}

TEST(ScaleSimTopology, FilterLargerThanInputNamesColumn) {
  expect_error(kConvHeader + "c,2,10,3,3,4,8,1,\n",
               {"bad.csv:2: column 4 (Filter Height)", "larger than the IFMAP height 2"});
  expect_error(kConvHeader + "c,10,2,3,3,4,8,1,\n",
               {"bad.csv:2: column 5 (Filter Width)", "larger than the IFMAP width 2"});
}

TEST(ScaleSimTopology, StructuredSparsityIsRejected) {
  const std::string header =
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
      "Num Filter, Strides, Sparsity,\n";
  expect_error(header + "c, 5, 5, 3, 3, 2, 6, 1, 2:4,\n",
               {"bad.csv:2: column 9 (Sparsity)", "'2:4' is not modelled"});
  expect_error("Layer Name, M, N, K, Sparsity,\nG, 3, 5, 16, 3:4,\n",
               {"bad.csv:2: column 5 (Sparsity)", "'3:4'"});
  expect_error(header + "c, 5, 5, 3, 3, 2, 6, 1, 4:2,\n", {"column 9 (Sparsity): expected"});
}

TEST(ScaleSimTopology, UnknownNinthColumnIsNotReadAsStride) {
  // llama3b.csv calls column 9 "Batch Size"; SCALE-Sim would silently read it as a stride.
  expect_error(
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
      "Num Filter, Strides, Batch Size,\nc, 10, 10, 3, 3, 4, 8, 1, 1,\n",
      {"bad.csv:2: column 9", "'Batch Size'"});
}

TEST(ScaleSimTopology, UnknownHeaderListsBothAcceptedHeaders) {
  const std::initializer_list<std::string> both = {
      "bad.csv:1: not a SCALE-Sim topology",
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num "
      "Filter, Strides,",
      "Layer, M, N, K,"};
  expect_error("name,a,b\n1,2,3\n", both);
  // A data row where the header should be.
  expect_error("Conv1, 224, 224, 3, 3, 3, 32, 2,\n", both);
  // Tab-separated (UNet_maestro.csv; SCALE-Sim splits on commas and cannot read it either).
  expect_error(
      "Layer name\t IFMAP Height\t IFMAP Width\t Filter Height\t Filter Width\t "
      "Channels\t Num Filter\t Strides\t\nc\t10\t10\t3\t3\t1\t64\t1\t\n",
      both);
}

TEST(ScaleSimTopology, EmptyFileOrHeaderOnlyIsUserError) {
  expect_error("", {"bad.csv: empty file", "Layer, M, N, K,"});
  expect_error("\n  \r\n,,,\n", {"bad.csv: empty file"});
  expect_error(kConvHeader, {"bad.csv: the topology has a header but no layers"});
  expect_error("Layer, M, N, K,\n\n", {"no layers"});
}

TEST(ScaleSimTopology, OverflowingSizesAreUserErrors) {
  expect_error("Layer, M, N, K,\nhuge, 4000000000, 4000000000, 4000000000,\n",
               {"bad.csv:2:", "'huge' is too large"});
  expect_error("Layer, M, N, K,\nL, 99999999999999999999, 1, 1,\n",
               {"bad.csv:2: column 2 (M): '99999999999999999999' is out of range"});
}

// The ONNX frontend's bounds (frontend/workload.h), so a one-line topology cannot ask for
// unbounded time or memory. Before, a 2^62-element OFMAP was accepted.
TEST(ScaleSimTopology, TensorPastTwoToTheFortyElementsIsRefusedAsForOnnx) {
  expect_error("Layer, M, N, K,\na, 2147483648, 2147483648, 1,\n",
               {"bad.csv:2: layer 'a': its OFMAP has 4611686018427387904 elements: more than 2^40, "
                "h4hsim's limit for one tensor"});
  expect_error(kConvHeader + "c, 1048576, 1048576, 1, 1, 2, 1, 1,\n",
               {"bad.csv:2: layer 'c': its IFMAP has 2199023255552 elements: more than 2^40, "
                "h4hsim's limit for one tensor"});
  expect_error("Layer, M, N, K,\nw, 1, 2097152, 1048576,\n",
               {"bad.csv:2: layer 'w': its filters have 2199023255552 elements: more than 2^40, "
                "h4hsim's limit for one tensor"});
}

TEST(ScaleSimTopology, KernelAndNetworkPastTwoToTheFiftyMacsAreRefusedAsForOnnx) {
  // 2^20 x 2^20 x 2^11: every tensor within 2^40 (the OFMAP exactly), 2^51 MACs.
  expect_error("Layer, M, N, K,\na, 1048576, 1048576, 2048,\n",
               {"bad: kernel 'a' has 2251799813685248 MACs: more than 2^50, h4hsim's limit"});
  // 2^49 MACs each: two are exactly 2^50, the third passes it.
  const std::string row = ", 1048576, 1048576, 512,\n";
  expect_error("Layer, M, N, K,\na" + row + "b" + row + "c" + row,
               {"bad: the network has more than 2^50 MACs (at kernel 'c'), h4hsim's limit"});
}

// The ONNX node limit applies to layers: a topology is one row per layer.
TEST(ScaleSimTopology, TopologyPastTheLayerLimitIsRefusedAtThatRow) {
  std::string text = "Layer, M, N, K,\n";
  for (int i = 0; i <= 200000; ++i) text += "L, 1, 1, 1,\n";
  expect_error(text, {"bad.csv:200002: the topology has more than 200000 layers, h4hsim's limit "
                      "(as for ONNX nodes)"});
}

// Before: names went raw into JSON, and `run --json` failed with "internal error" (exit 3).
TEST(ScaleSimTopology, LayerNamesThatAreNotUtf8AreEscapedLikeOnnxNames) {
  const Workload w = parse("Layer, M, N, K,\nfc\xff\x01, 2, 3, 4,\nfc\xff\x01, 2, 3, 4,\n");
  ASSERT_EQ(w.kernels.size(), 2u);
  EXPECT_EQ(w.kernels[0].name, "fc\\xff\\x01");
  EXPECT_EQ(w.kernels[1].name, "fc\\xff\\x01#2");
  expect_error("Layer, M, N, K,\nL, 2, x\xfe, 4,\n",
               {"bad.csv:2: column 3 (N): expected an integer, got 'x\\xfe'"});
}

TEST(ScaleSimTopology, MissingFileAndDirectoryAreUserErrors) {
  try {
    load_scalesim_topology("/nonexistent/topo.csv");
    ADD_FAILURE() << "no error for a missing file";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/topo.csv"), std::string::npos);
  }
  try {
    load_scalesim_topology(test::source_path("tests/data/scalesim"));
    ADD_FAILURE() << "no error for a directory";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("is a directory"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace h4h
