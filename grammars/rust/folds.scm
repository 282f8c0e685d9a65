; Folding ranges (textDocument/foldingRange) for Rust.
;
; Capture convention (see server/src/features/folding.ts):
;   @fold            a foldable node; several in one match = one range, first start to last end
;   @fold.close      the closing delimiter of a @fold match (default: the last child when anonymous: `}` `)` `]`)
;   @fold.comment    comments: block comments fold, consecutive line (and doc) comments fold as one run
;   @fold.imports    `use` and `extern crate`: consecutive ones fold as one range of kind imports
;   @fold.region.start / @fold.region.end   `// region:` ... `// endregion` markers (rust-analyzer's)
; Bodies and brackets are folded (the `}` stays visible), not the items
; around them.

[
  (block)
  (declaration_list)
  (field_declaration_list)
  (ordered_field_declaration_list)
  (enum_variant_list)
  (field_initializer_list)
  (match_block)
  (use_list)
  (arguments)
  (parameters)
  (closure_parameters)
  (type_parameters)
  (type_arguments)
  (where_clause)
  (token_tree)
  (array_expression)
  (tuple_expression)
  (parenthesized_expression)
  (string_literal)
  (raw_string_literal)
] @fold

[
  (line_comment)
  (block_comment)
] @fold.comment

[
  (use_declaration)
  (extern_crate_declaration)
] @fold.imports

((line_comment) @fold.region.start
  (#match? @fold.region.start "^//\\s*#?region\\b"))
((line_comment) @fold.region.end
  (#match? @fold.region.end "^//\\s*#?endregion\\b"))
