{
  "variables": {
    "torch_include": "<!(node -p \"process.env.SKAGENT_TORCH_INCLUDE || '/usr/include'\")",
    "torch_lib": "<!(node -p \"process.env.SKAGENT_TORCH_LIB || '/usr/lib/x86_64-linux-gnu'\")",
    "torch_cuda": "<!(node -p \"process.env.SKAGENT_TORCH_CUDA || '0'\")",
    "torch_abi": "<!(node -p \"process.env.SKAGENT_TORCH_CXX11_ABI || '1'\")",
    "torch_gloo": "<!(node -p \"process.env.SKAGENT_TORCH_GLOO || '0'\")"
  },
  "targets": [
    {
      "target_name": "skagent_torch",
      "sources": ["src/addon.cc", "src/tensor.cc", "src/dispatch.cc", "src/profiler.cc", "src/allocator.cc", "src/distributed.cc", "src/warnings.cc"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<(torch_include)",
        "<(torch_include)/torch/csrc/api/include",
        "include-fallback"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NDEBUG", "_GLIBCXX_USE_CXX11_ABI=<(torch_abi)"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++14"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
      "ldflags": ["-Wl,-rpath,<(torch_lib)", "-Wl,--no-as-needed"],
      "libraries": ["-L<(torch_lib)", "-ltorch", "-ltorch_cpu", "-lc10"],
      "conditions": [
        ["torch_cuda==1", { "libraries": ["-ltorch_cuda", "-lc10_cuda"], "defines": ["SKAGENT_WITH_CUDA=1", "SKAGENT_WITH_NCCL=1", "USE_C10D_NCCL"] }],
        ["torch_gloo==1", { "defines": ["SKAGENT_WITH_GLOO=1", "USE_C10D_GLOO"] }]
      ]
    }
  ]
}
