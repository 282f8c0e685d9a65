; Folding ranges (textDocument/foldingRange) for Ruby.
;
; Capture convention (see server/src/features/folding.ts):
;   @fold            a foldable node; several in one match = one range, first start to last end
;   @fold.close      the closing delimiter of a @fold match (default: the last child when anonymous:
;                    `end` `}` `]` `)`)
;   @fold.comment    comments: `=begin`/`=end` blocks fold, consecutive line comments fold as one run
;   @fold.imports    `require` / `require_relative`: consecutive ones fold as one range of kind imports
;   @fold.region.start / @fold.region.end   `#region` ... `#endregion` markers
; The `end` stays visible: a fold ends on the line before an `end` that
; begins its line. Conditionals fold clause by clause (`if` up to its
; `elsif`/`else`).

[
  (class)
  (module)
  (singleton_class)
  (method)
  (singleton_method)
  (do_block)
  (block)
  (lambda)
  (while)
  (until)
  (for)
  (case)
  (case_match)
  (when)
  (in_clause)
  (begin)
  (rescue)
  (ensure)
  (else)
  (hash)
  (array)
  (argument_list)
  (method_parameters)
  (string_array)
  (symbol_array)
  (parenthesized_statements)
  (heredoc_body)
] @fold

(if "if" @fold consequence: (then) @fold)
(unless "unless" @fold consequence: (then) @fold)
(elsif "elsif" @fold consequence: (then) @fold)

(comment) @fold.comment

((call
  !receiver
  method: (identifier) @_method) @fold.imports
  (#match? @_method "^(require|require_relative|load)$"))

((comment) @fold.region.start
  (#match? @fold.region.start "^#\\s*region\\b"))
((comment) @fold.region.end
  (#match? @fold.region.end "^#\\s*endregion\\b"))
