{
  "targets": [
    {
      "target_name": "quicether",
      "sources": [
        "src/addon.c",
        "src/args.c",
        "src/errors.c",
        "src/fdhandle.c",
        "src/peercred.c",
        "src/tun.c",
        "src/offload.c",
        "src/tun-offload.c",
        "src/offload-napi.c"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags_c": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-O2"],
      "conditions": [
        ["OS=='linux'", { "sources": ["src/tun-linux.c", "src/udp-linux.c", "src/udp-msgs-linux.c"] }],
        ["OS=='mac'", {
          "sources": ["src/tun-darwin.c"],
          "xcode_settings": {
            "GCC_C_LANGUAGE_STANDARD": "gnu11",
            "MACOSX_DEPLOYMENT_TARGET": "11.0",
            "WARNING_CFLAGS": ["-Wall", "-Wextra", "-Wno-unused-parameter"]
          }
        }]
      ]
    }
  ]
}
