# lit configuration for the dsr1 FileCheck tests (test/lit/**).
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "dsr1"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtxt", ".test"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.dsr1_obj_root, "test", "lit")

# Every FileCheck in the suite runs with --enable-var-scope (see CONVENTIONS.md).
config.environment["FILECHECK_OPTS"] = "--enable-var-scope"
llvm_config.use_default_substitutions()
config.substitutions.append(("%dsr1_src_root", config.dsr1_src_root))

# The project's tools first, then LLVM's (FileCheck, not, count).
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.dsr1_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(["dsr1-opt", "dsr1-import", "dsr1-run", "dsr1-compile"], [config.dsr1_tools_dir])

# The TorchScript frontend's tests need a build with libtorch (cmake/Dsr1Torch.cmake), which
# builds the plugin that reads .pt files.
if config.dsr1_have_torch == "ON":
    config.available_features.add("torch")
