{
  "targets": [
    {
      "target_name": "textcore",
      "sources": ["textcore.c", "lookup.c"],
      "cflags": ["-O3", "-Wall", "-Wextra"],
      "libraries": ["-lm"]
    }
  ]
}
