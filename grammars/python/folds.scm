; Folding ranges (textDocument/foldingRange) for Python.
;
; Capture convention (see server/src/features/folding.ts):
;   @fold            a foldable node; several in one match = one range, first start to last end
;   @fold.close      the closing delimiter of a @fold match (default: the last child when anonymous: `)` `]` `}`)
;   @fold.comment    comments and docstrings: multi-line ones fold, consecutive line comments fold as one run
;   @fold.imports    imports: consecutive ones fold as one range of kind imports
;   @fold.region.start / @fold.region.end   `# region` ... `# endregion` markers
; Blocks have no closing delimiter: a fold ends on its last line. Compound
; statements fold clause by clause (`if` up to its `elif`, the `elif`, the
; `else`), as indentation folding does.

[
  (function_definition)
  (class_definition)
  (with_statement)
  (match_statement)
  (case_clause)
  (elif_clause)
  (else_clause)
  (except_clause)
  (finally_clause)
] @fold

(if_statement "if" @fold consequence: (block) @fold)
(for_statement "for" @fold body: (block) @fold)
(while_statement "while" @fold body: (block) @fold)
(try_statement "try" @fold body: (block) @fold)

[
  (dictionary)
  (list)
  (set)
  (tuple)
  (argument_list)
  (parameters)
  (parenthesized_expression)
  (list_comprehension)
  (dictionary_comprehension)
  (set_comprehension)
  (generator_expression)
  (string)
] @fold

; Docstrings, and any other string standing alone as a statement, are
; Python's block comments.
(expression_statement . (string) @fold.comment .)
(comment) @fold.comment

[
  (import_statement)
  (import_from_statement)
  (future_import_statement)
] @fold.imports

((comment) @fold.region.start
  (#match? @fold.region.start "^#\\s*region\\b"))
((comment) @fold.region.end
  (#match? @fold.region.end "^#\\s*endregion\\b"))
