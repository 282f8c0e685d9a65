; Bash (shfmt's default layout: case items at the level of `case`).
[
  (do_group)
  (compound_statement)
  (if_statement)
  (case_item)
  (subshell)
  (array)
] @indent.begin

[ "fi" "done" "}" "then" ] @indent.end
(subshell ")" @indent.end)
(array ")" @indent.end)
[ (elif_clause) (else_clause) ] @indent.branch

[ (heredoc_body) (string) (raw_string) (ansi_c_string) (heredoc_redirect) (command) (redirected_statement) (translated_string) (arithmetic_expansion) (command_substitution) (test_command) (concatenation) ] @indent.ignore
