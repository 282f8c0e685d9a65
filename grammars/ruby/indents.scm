; Ruby (rubocop's Layout cops, default configuration). Captures: see
; server/src/features/formatting.ts.
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
  (parenthesized_statements)
  (lambda)
] @indent.begin

; Arguments, array elements and hash pairs align with the first one
; (Layout/ArgumentAlignment, ArrayAlignment, HashAlignment); after a bracket
; that ends its line they are indented once (Layout/FirstArgumentIndentation).
([
  (argument_list)
  (array)
  (hash)
  (string_array)
  (symbol_array)
] @indent.align
  (#set! indent.align "open"))

; Continuation lines: `x ||=` / `  value`, `a +` / `  b` (Layout/MultilineOperationIndentation:
; indented, but aligned with the first operand in a condition).
[ (assignment) (operator_assignment) (binary) ] @indent.begin
([
  (if condition: (binary) @indent.align)
  (unless condition: (binary) @indent.align)
  (while condition: (binary) @indent.align)
  (until condition: (binary) @indent.align)
  (if_modifier condition: (binary) @indent.align)
  (unless_modifier condition: (binary) @indent.align)
] (#set! indent.align "start"))

[ "end" "}" "]" ")" ] @indent.end
[ (else) (elsif) (when) (in_clause) (rescue) (ensure) ] @indent.branch

; `x = if cond` / `      body` / `    end`: the body is indented from `if`, and
; `else`, `when` and `end` align with it (Layout/EndAlignment, CaseIndentation).
; (`begin` follows the start of the line: Layout/BeginEndAlignment.)
(assignment right: [(if) (unless) (case) (case_match) (while) (until)] @indent.align (#set! indent.align "column"))
(operator_assignment right: [(if) (unless) (case) (case_match) (while) (until)] @indent.align (#set! indent.align "column"))
(binary right: [(if) (unless) (case) (case_match) (while) (until)] @indent.align (#set! indent.align "column"))

[ (string) (heredoc_body) (regex) (subshell) (delimited_symbol) (comment) ] @indent.ignore
