{
  "targets": [
    {
      "target_name": "textcore",
      "sources": ["textcore.c"],
      "cflags": ["-O3", "-Wall", "-Wextra"],
      "libraries": ["-lm"]
    }
  ]
}
