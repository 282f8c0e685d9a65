; Ruby (rubocop's layout).
[
  (class)
  (module)
  (singleton_class)
  (method)
  (singleton_method)
  (do_block)
  (block)
  (if)
  (unless)
  (while)
  (until)
  (for)
  (case)
  (case_match)
  (begin)
  (array)
  (hash)
  (argument_list)
  (parenthesized_statements)
  (lambda)
] @indent.begin

[ "end" "}" "]" ")" ] @indent.end
[ (else) (elsif) (when) (in_clause) (rescue) (ensure) ] @indent.branch

[ (string) (heredoc_body) (regex) (subshell) (string_array) (symbol_array) (delimited_symbol) (comment) ] @indent.ignore
