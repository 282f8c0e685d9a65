; Python: indentation is meaning. Every line keeps its indentation; only
; whitespace that cannot change meaning is formatted (trailing whitespace,
; blank-line runs, the final newline).
(module) @indent.auto
(string) @indent.ignore
