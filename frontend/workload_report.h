#pragma once
// How a Workload is shown: the `inspect` table and its JSON contract. JSON keys are only
// ever added, never renamed (scripts depend on them).
#include <string>

#include <nlohmann/json.hpp>

#include "frontend/workload.h"

namespace h4h {

nlohmann::json workload_to_json(const Workload& w);
std::string workload_table(const Workload& w);

}  // namespace h4h
