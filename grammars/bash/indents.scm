; Bash (shfmt's default layout: one tab per level, case items at the level of
; `case`, continuation lines of a pipeline or an `&&`/`||` list indented once).
[
  (do_group)
  (compound_statement)
  (if_statement)
  (case_item)
  (subshell)
  (array)
  (pipeline)
  (list)
  (command_substitution)
] @indent.begin

[ "fi" "done" "}" "then" ] @indent.end
(subshell ")" @indent.end)
(array ")" @indent.end)
(command_substitution ")" @indent.end)
[ (elif_clause) (else_clause) ] @indent.branch

; Words, strings and heredocs keep every byte.
[ (heredoc_body) (string) (raw_string) (ansi_c_string) (heredoc_redirect) (translated_string) (arithmetic_expansion) (concatenation) (test_command) ] @indent.ignore
