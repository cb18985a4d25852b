#include "nas/supernet/trainer.h"

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "frontend/output_file.h"
#include "frontend/user_error.h"
#include "nas/cpu_share.h"
#include "sim/report/progress.h"

namespace h4h::nas {

namespace {

// What a checkpoint must match to be resumed: the space and the recipe.
std::string recipe_of(const SearchSpace& sp, const TrainOptions& o) {
  // version 2: anchors follow the step's block types; q/k/v per head count; own weights for
  // expansion 1 (a version-1 checkpoint does not resume under this recipe).
  return fmt::format(
             "space={} version=2 epochs={} phase1={} one_phase={} batch={} lr={} wd={} "
             "inherited={} random={} "
             "seed={} val={} limit={} max_steps={}",
             sp.name, o.epochs, o.one_phase || !o.subnet.empty() ? 0 : o.phase1_epochs, o.one_phase,
             o.batch, o.lr, o.weight_decay, o.inherited_lr_scale, o.random_subnets, o.seed,
             o.val_count, o.limit, o.max_steps_per_epoch) +
         (o.split_seed != 0 && o.split_seed != o.seed ? fmt::format(" split={}", o.split_seed)
                                                      : "") +
         (o.subnet.empty() ? "" : " subnet=" + o.subnet);
}

// Per stage, one flag per block slot up to the stage's largest depth: `hybrid_value` at the
// hybrid stages' slots, 0 elsewhere (which block types a step or a measurement puts where).
std::vector<std::vector<char>> position_mask(const SearchSpace& sp, bool hybrid_value) {
  std::vector<std::vector<char>> m(sp.stages.size());
  for (size_t i = 0; i < sp.stages.size(); ++i)
    m[i].assign(static_cast<size_t>(
                    *std::max_element(sp.stages[i].depths.begin(), sp.stages[i].depths.end())),
                sp.stages[i].kind == StageKind::hybrid && hybrid_value ? 1 : 0);
  return m;
}

// Gradients dropped, not zeroed (PyTorch 2's set_to_none; libtorch 1.13's zero_grad zeroes):
// with a zero gradient AdamW would still move weights a step did not use.
void drop_gradients(Supernet& net) {
  for (auto& p : net->parameters()) p.mutable_grad() = torch::Tensor();
}

// Every hybrid position of `s` as MBConv (phase 1: the convolutional supernet).
Subnet conv_only(const SearchSpace& sp, Subnet s, std::mt19937_64& rng) {
  for (size_t i = 0; i < s.stages.size(); ++i)
    for (auto& b : s.stages[i].blocks)
      if (b.transformer) {
        const StageSpace& st = sp.stages[i];
        b = BlockChoice{};
        b.kernel = st.kernels[rng() % st.kernels.size()];
        b.expansion = st.expansions[rng() % st.expansions.size()];
      }
  return s;
}

// Phase 2: the block type of each hybrid position follows this step's draw.
Subnet follow_types(const SearchSpace& sp, Subnet s, const std::vector<std::vector<char>>& use_tf,
                    std::mt19937_64& rng) {
  for (size_t i = 0; i < s.stages.size(); ++i) {
    const StageSpace& st = sp.stages[i];
    for (size_t j = 1; j < s.stages[i].blocks.size(); ++j) {
      BlockChoice& b = s.stages[i].blocks[j];
      const bool want_tf = use_tf[i][j] != 0;
      if (want_tf == b.transformer) continue;
      b = BlockChoice{};
      if (want_tf) {
        b.transformer = true;
        b.heads = st.heads[rng() % st.heads.size()];
        b.mlp_ratio = st.mlp_ratios[rng() % st.mlp_ratios.size()];
      } else {
        b.kernel = st.kernels[rng() % st.kernels.size()];
        b.expansion = st.expansions[rng() % st.expansions.size()];
      }
    }
  }
  return s;
}

}  // namespace

Subnet anchor_of_types(const SearchSpace& sp, const std::vector<std::vector<char>>& use_tf,
                       bool largest) {
  Subnet s = largest ? largest_subnet(sp) : smallest_subnet(sp);
  for (size_t i = 0; i < s.stages.size(); ++i) {
    const StageSpace& st = sp.stages[i];
    for (size_t j = 1; j < s.stages[i].blocks.size(); ++j) {
      if (!use_tf[i][j]) continue;
      BlockChoice b;
      b.transformer = true;
      b.heads = largest ? *std::max_element(st.heads.begin(), st.heads.end())
                        : *std::min_element(st.heads.begin(), st.heads.end());
      b.mlp_ratio = largest ? *std::max_element(st.mlp_ratios.begin(), st.mlp_ratios.end())
                            : *std::min_element(st.mlp_ratios.begin(), st.mlp_ratios.end());
      s.stages[i].blocks[j] = b;
    }
  }
  return s;
}

namespace {

double cosine(double base, int64_t step, int64_t total) {
  if (total <= 0) return base;
  return base * 0.5 * (1 + std::cos(M_PI * static_cast<double>(step) / static_cast<double>(total)));
}

void save_checkpoint(Supernet& net, torch::optim::Optimizer& opt, const std::string& recipe, int epochs_done,
                     const std::string& path) {
  torch::serialize::OutputArchive ar;
  ar.write("recipe", c10::IValue(recipe));
  ar.write("epochs_done", c10::IValue(static_cast<int64_t>(epochs_done)));
  torch::serialize::OutputArchive model_ar, opt_ar;
  net->save(model_ar);
  opt.save(opt_ar);
  ar.write("model", model_ar);
  ar.write("optimizer", opt_ar);
  // Written beside the target and renamed onto it: a kill never leaves half a checkpoint.
  PendingOutput out(path);
  try {
    ar.save_to(out.temp_path());
  } catch (const c10::Error& e) {
    throw UserError(fmt::format("{}: cannot write the checkpoint: {}", path, e.what_without_backtrace()));
  }
  out.commit();
}

torch::serialize::InputArchive open_checkpoint(const std::string& path) {
  torch::serialize::InputArchive ar;
  try {
    ar.load_from(path);
  } catch (const c10::Error& e) {
    throw UserError(fmt::format("{}: not a readable supernet checkpoint ({})", path,
                                std::string(e.what_without_backtrace()).substr(0, 160)));
  }
  return ar;
}

// CPU time of the whole process so far (user + system, every thread), seconds.
double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

std::string read_recipe(torch::serialize::InputArchive& ar, const std::string& path) {
  c10::IValue v;
  if (!ar.try_read("recipe", v) || !v.isString())
    throw UserError(fmt::format("{}: not a supernet checkpoint (no recipe)", path));
  return v.toStringRef();
}

}  // namespace

void tune_torch_runtime() {
  torch::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 256 << 20);
}

std::string checkpoint_subnet(const std::string& recipe) { return recipe_value(recipe, "subnet"); }

FmnistData load_recipe_data(const std::string& recipe, const std::string& data_dir) {
  const std::string split = recipe_value(recipe, "split"), seed = recipe_value(recipe, "seed"),
                    val = recipe_value(recipe, "val"), limit = recipe_value(recipe, "limit");
  return load_fmnist(data_dir, val.empty() ? 5000 : std::stoll(val),
                     !split.empty() ? std::stoull(split)
                     : seed.empty() ? 1
                                    : std::stoull(seed),
                     limit.empty() ? 0 : std::stoll(limit));
}

std::vector<EpochLog> train_supernet(const SearchSpace& sp, const TrainOptions& options,
                                     const std::string& ckpt_path,
                                     const std::function<void(const EpochLog&)>& on_epoch) {
  const TrainOptions o = with_defaults(options);
  if (o.lr < 0) throw UserError(fmt::format("--lr must be > 0, got {}", o.lr));
  if (o.epochs <= 0) throw UserError(fmt::format("--epochs must be > 0, got {}", o.epochs));
  const bool standalone = !o.subnet.empty();
  const bool one_phase = o.one_phase || standalone;
  if (!one_phase && o.epochs < 2)
    throw UserError(
        fmt::format("--epochs {}: two-phase training needs at least 2 epochs, one per phase "
                    "(--one-phase trains in one)",
                    o.epochs));
  if (!one_phase && (o.phase1_epochs <= 0 || o.phase1_epochs >= o.epochs))
    throw UserError(fmt::format("--phase1-epochs must be in 1..{} (epochs - 1), got {}", o.epochs - 1, o.phase1_epochs));
  if (o.batch <= 0) throw UserError(fmt::format("--batch must be > 0, got {}", o.batch));
  // The subnet that learns from labels (and is validated): the largest, or the stand-alone one.
  const Subnet target = standalone ? decode_subnet(sp, o.subnet) : largest_subnet(sp);
  const FmnistData data =
      load_fmnist(o.data_dir, o.val_count, o.split_seed != 0 ? o.split_seed : o.seed, o.limit);
  if (data.train.size() < o.batch)
    throw UserError(fmt::format("{} training images are fewer than one batch of {}", data.train.size(), o.batch));

  torch::manual_seed(static_cast<uint64_t>(o.seed));
  Supernet net(sp);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(net->parameters_of(ParamGroup::shared),
                      std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(o.lr).weight_decay(o.weight_decay)));
  groups.emplace_back(net->parameters_of(ParamGroup::transformer),
                      std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(o.lr).weight_decay(o.weight_decay)));
  torch::optim::AdamW opt(std::move(groups), torch::optim::AdamWOptions(o.lr));

  const std::string recipe = recipe_of(sp, o);
  int start_epoch = 0;
  if (std::filesystem::exists(ckpt_path)) {
    auto ar = open_checkpoint(ckpt_path);
    const std::string have = read_recipe(ar, ckpt_path);
    if (have != recipe)
      throw UserError(fmt::format("{}: the checkpoint was trained with another recipe ({}); this run asks for "
                                  "({}): give a new --out or the same options", ckpt_path, have, recipe));
    c10::IValue done;
    ar.read("epochs_done", done);
    start_epoch = static_cast<int>(done.toInt());
    torch::serialize::InputArchive model_ar, opt_ar;
    ar.read("model", model_ar);
    ar.read("optimizer", opt_ar);
    net->load(model_ar);
    opt.load(opt_ar);
  }

  const int64_t n_train = data.train.size();
  int64_t steps = (n_train + o.batch - 1) / o.batch;
  if (o.max_steps_per_epoch > 0) steps = std::min(steps, o.max_steps_per_epoch);
  std::vector<EpochLog> logs;
  if (o.threads < 0) throw UserError(fmt::format("--threads must be >= 0, got {}", o.threads));
  if (o.threads > 0) torch::set_num_threads(o.threads);
  CpuShare share;
  auto last_share_check = std::chrono::steady_clock::now();
  for (int epoch = start_epoch; epoch < o.epochs; ++epoch) {
    const bool phase1 = !one_phase && epoch < o.phase1_epochs;
    const int phase = one_phase ? 0 : phase1 ? 1 : 2;
    // Per-epoch seeds: a resumed run repeats exactly what an uninterrupted one does.
    std::mt19937_64 rng(o.seed * 1000003ull + static_cast<uint64_t>(epoch));
    torch::manual_seed(o.seed * 1000003ull + static_cast<uint64_t>(epoch));
    const int64_t phase_start = phase == 2 ? o.phase1_epochs : 0;
    const int64_t phase_epochs = phase == 1 ? o.phase1_epochs : phase == 2 ? o.epochs - o.phase1_epochs : o.epochs;
    std::vector<int64_t> order(static_cast<size_t>(n_train));
    for (int64_t i = 0; i < n_train; ++i) order[static_cast<size_t>(i)] = i;
    std::shuffle(order.begin(), order.end(), rng);
    const auto order_t = torch::tensor(order, torch::kInt64);
    net->train();
    Progress bar(fmt::format("epoch {}/{} ({})", epoch + 1, o.epochs,
                             standalone ? "stand-alone" : phase == 0 ? "one phase" : fmt::format("phase {}", phase)),
                 steps, o.progress);
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = process_cpu_seconds();
    double loss_sum = 0;
    int min_threads = torch::get_num_threads();
    for (int64_t step = 0; step < steps; ++step) {
      // The intra-op pool follows the CPUs other processes leave free (every ~2 s): with
      // a competitor on a 2-core machine, two threads would wait on the descheduled one.
      if (o.threads == 0 &&
          std::chrono::steady_clock::now() - last_share_check >= std::chrono::seconds(2)) {
        const int free = share.sample();
        if (free != torch::get_num_threads()) torch::set_num_threads(free);
        min_threads = std::min(min_threads, free);
        last_share_check = std::chrono::steady_clock::now();
      }
      // Inherited (stem, MBConv, head) weights follow one cosine over the whole run — phase 2
      // continues their decay, scaled down, instead of restarting it; the transformers,
      // new in phase 2, get a full cosine of their own over phase 2.
      const int64_t run_step = static_cast<int64_t>(epoch) * steps + step;
      const double shared_lr = cosine(o.lr, run_step, static_cast<int64_t>(o.epochs) * steps) *
                               (phase == 2 ? o.inherited_lr_scale : 1.0);
      const double transformer_lr = cosine(o.lr, (epoch - phase_start) * steps + step, phase_epochs * steps);
      auto& g = opt.param_groups();
      static_cast<torch::optim::AdamWOptions&>(g[0].options()).lr(shared_lr);
      static_cast<torch::optim::AdamWOptions&>(g[1].options()).lr(transformer_lr);
      const int64_t from = step * o.batch, count = std::min(o.batch, n_train - from);
      const auto idx = order_t.narrow(0, from, count);
      const torch::Tensor x = augment(data.train.images.index_select(0, idx), rng);
      const torch::Tensor y = data.train.labels.index_select(0, idx);
      // Dropped, not zeroed: a resumed run's gradients start undefined too, so it stays on
      // the uninterrupted run's path.
      drop_gradients(net);
      // This step's block type per hybrid position (phase 2 and one phase): the anchors and
      // the random subnets all follow it.
      std::vector<std::vector<char>> use_tf = position_mask(sp, false);
      if (phase != 1 && !standalone)
        for (size_t i = 0; i < sp.stages.size(); ++i)
          if (sp.stages[i].kind == StageKind::hybrid)
            for (auto& u : use_tf[i]) u = static_cast<char>(rng() & 1);
      // Sandwich: the largest learns from labels; the others distil from it in place.
      const Subnet teacher = standalone ? target : anchor_of_types(sp, use_tf, true);
      const torch::Tensor teacher_logits = net->forward(x, teacher);
      const torch::Tensor ce = torch::nn::functional::cross_entropy(teacher_logits, y);
      ce.backward();
      loss_sum += ce.item<double>();
      if (standalone) {
        opt.step();
        bar.advance();
        continue;
      }
      const torch::Tensor soft = torch::softmax(teacher_logits.detach(), 1);
      std::vector<Subnet> students = {anchor_of_types(sp, use_tf, false)};
      for (int r = 0; r < o.random_subnets; ++r) {
        Subnet s = sample_subnet(sp, rng);
        s = phase == 1 ? conv_only(sp, std::move(s), rng)
                       : follow_types(sp, std::move(s), use_tf, rng);
        students.push_back(std::move(s));
      }
      for (const auto& s : students) {
        const torch::Tensor logits = net->forward(x, s);
        const torch::Tensor kd = -(soft * torch::log_softmax(logits, 1)).sum(1).mean();
        kd.backward();
      }
      opt.step();
      bar.advance();
    }
    bar.finish();
    EpochLog log;
    log.epoch = epoch + 1;
    log.phase = phase;
    log.mean_loss = loss_sum / static_cast<double>(steps);
    log.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    log.cpu_seconds = process_cpu_seconds() - cpu0;
    log.min_threads = min_threads;
    if (data.val.size() > 0) log.largest_val_acc = evaluate_subnet(net, target, data.train, data.val, 10, 256);
    save_checkpoint(net, opt, recipe, epoch + 1, ckpt_path);
    logs.push_back(log);
    if (on_epoch) on_epoch(log);
    if (o.stop_after_epoch) break;
  }
  return logs;
}

std::string checkpoint_recipe(const std::string& ckpt_path) {
  if (!std::filesystem::exists(ckpt_path))
    throw UserError(fmt::format("{}: no such checkpoint (train one with `h4hsim nas train`)", ckpt_path));
  auto ar = open_checkpoint(ckpt_path);
  return read_recipe(ar, ckpt_path);
}

std::string recipe_value(const std::string& recipe, const std::string& key) {
  const std::string needle = key + "=";
  size_t at = recipe.rfind(needle, 0) == 0 ? 0 : recipe.find(" " + needle);
  if (at == std::string::npos) return "";
  if (at != 0) ++at;
  const size_t start = at + needle.size();
  return recipe.substr(start, recipe.find(' ', start) - start);
}

Supernet load_supernet(const SearchSpace& sp, const std::string& ckpt_path) {
  if (!std::filesystem::exists(ckpt_path))
    throw UserError(fmt::format("{}: no such checkpoint (train one with `h4hsim nas train`)", ckpt_path));
  auto ar = open_checkpoint(ckpt_path);
  const std::string recipe = read_recipe(ar, ckpt_path);
  if (recipe.rfind(fmt::format("space={} ", sp.name), 0) != 0)
    throw UserError(fmt::format("{}: the checkpoint is of another space ({}), not '{}'", ckpt_path,
                                recipe.substr(0, recipe.find(' ')), sp.name));
  Supernet net(sp);
  torch::serialize::InputArchive model_ar;
  ar.read("model", model_ar);
  try {
    net->load(model_ar);
  } catch (const c10::Error& e) {
    throw UserError(fmt::format("{}: the checkpoint does not fit space '{}' ({})", ckpt_path, sp.name,
                                std::string(e.what_without_backtrace()).substr(0, 160)));
  }
  return net;
}

double evaluate_subnet(Supernet& net, const Subnet& s, const FmnistSplit& recal, const FmnistSplit& eval,
                       int recal_batches, int64_t batch) {
  torch::NoGradGuard ng;
  // BatchNorm recalibration: the running statistics of this subnet's slices, as the exact
  // mean over `recal_batches` batches (momentum 1/(i+1)).
  net->train();
  net->reset_bn_stats();
  const int64_t n_recal = recal.size();
  for (int i = 0; i < recal_batches && i * batch < n_recal; ++i) {
    net->set_bn_momentum(1.0 / (i + 1));
    net->forward(recal.images.narrow(0, i * batch, std::min(batch, n_recal - i * batch)), s);
  }
  net->set_bn_momentum(0.1);
  net->eval();
  int64_t correct = 0;
  for (int64_t from = 0; from < eval.size(); from += batch) {
    const int64_t count = std::min(batch, eval.size() - from);
    const auto pred = net->forward(eval.images.narrow(0, from, count), s).argmax(1);
    correct += pred.eq(eval.labels.narrow(0, from, count)).sum().item<int64_t>();
  }
  net->train();
  return eval.size() > 0 ? static_cast<double>(correct) / static_cast<double>(eval.size()) : 0.0;
}

namespace {
// The gradients of the cross-entropy of `s` on (images, labels), one per parameter
// (undefined where `s` does not use the parameter).
std::vector<torch::Tensor> gradients_of(Supernet& net, const torch::Tensor& images,
                                        const torch::Tensor& labels, const Subnet& s) {
  drop_gradients(net);
  torch::nn::functional::cross_entropy(net->forward(images, s), labels).backward();
  std::vector<torch::Tensor> g;
  for (auto& p : net->parameters())
    g.push_back(p.grad().defined() ? p.grad().clone() : torch::Tensor());
  return g;
}

// Over the parameters `mask` holds (default: every one both gradients define).
double cosine_of(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b,
                 const std::vector<char>* mask = nullptr) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].defined() || !b[i].defined()) continue;  // weights only one of them uses
    if (mask && !(*mask)[i]) continue;
    dot += (a[i] * b[i]).sum().item<double>();
    na += a[i].square().sum().item<double>();
    nb += b[i].square().sum().item<double>();
  }
  return na > 0 && nb > 0 ? dot / std::sqrt(na * nb) : 0.0;
}
}  // namespace

double gradient_cosine(Supernet& net, const torch::Tensor& images, const torch::Tensor& labels,
                       const Subnet& a, const Subnet& b) {
  net->train();
  return cosine_of(gradients_of(net, images, labels, a), gradients_of(net, images, labels, b));
}

ConflictReport gradient_conflict(Supernet& net, const SearchSpace& sp, const FmnistSplit& train,
                                 int batches, int64_t batch, uint64_t seed) {
  std::mt19937_64 rng(seed);
  ConflictReport r;
  const std::vector<std::vector<char>> all_tf = position_mask(sp, true);
  for (int b = 0; b < batches; ++b) {
    const int64_t from = static_cast<int64_t>(
        rng() % static_cast<uint64_t>(std::max<int64_t>(1, train.size() - batch)));
    const int64_t count = std::min(batch, train.size() - from);
    const torch::Tensor x = train.images.narrow(0, from, count),
                        y = train.labels.narrow(0, from, count);
    Subnet s = sample_subnet(sp, rng);
    for (size_t i = 0; i < sp.stages.size(); ++i)
      if (sp.stages[i].kind == StageKind::hybrid)
        while (s.stages[i].blocks.size() < all_tf[i].size())
          s.stages[i].blocks.push_back(s.stages[i].blocks.back());
    const Subnet as_mb = conv_only(sp, s, rng);
    const Subnet as_mb2 =
        conv_only(sp, follow_types(sp, s, all_tf, rng), rng);  // fresh MBConv draws
    const Subnet as_tf = follow_types(sp, conv_only(sp, s, rng), all_tf, rng);
    net->train();
    const auto g_mb = gradients_of(net, x, y, as_mb), g_mb2 = gradients_of(net, x, y, as_mb2),
               g_tf = gradients_of(net, x, y, as_tf);
    // Both cosines over the same weights: those all three subnets use (the shared path).
    std::vector<char> shared(g_mb.size());
    for (size_t k = 0; k < shared.size(); ++k)
      shared[k] = g_mb[k].defined() && g_mb2[k].defined() && g_tf[k].defined();
    r.cross.push_back(cosine_of(g_mb, g_tf, &shared));
    r.same.push_back(cosine_of(g_mb, g_mb2, &shared));
  }
  drop_gradients(net);
  return r;
}

}  // namespace h4h::nas
