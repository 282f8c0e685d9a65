; Folding ranges (textDocument/foldingRange) for C++.
;
; Capture convention (see server/src/features/folding.ts):
;   @fold            a foldable node; several in one match = one range, first start to last end
;   @fold.close      the closing delimiter of a @fold match (default: the last child when anonymous:
;                    `}` `)` `#endif`)
;   @fold.comment    comments: block comments fold, consecutive line comments fold as one run
;   @fold.imports    `#include`: consecutive ones fold as one range of kind imports
;   @fold.region.start / @fold.region.end   `#pragma region` ... `#pragma endregion` (as Visual Studio)
; Bodies and brackets are folded (the `}` stays visible). Conditional
; compilation folds branch by branch: `#ifdef` up to its `#else`, the
; `#else` up to the `#endif`.

[
  (compound_statement)
  (field_declaration_list)
  (enumerator_list)
  (initializer_list)
  (declaration_list)
  (argument_list)
  (parameter_list)
  (case_statement)
  (parenthesized_expression)
  (template_argument_list)
  (template_parameter_list)
  (field_initializer_list)
  (requirement_seq)
  (subscript_argument_list)
  (raw_string_literal)
] @fold

(preproc_if alternative: (_) @fold.close) @fold
(preproc_if !alternative) @fold
(preproc_ifdef alternative: (_) @fold.close) @fold
(preproc_ifdef !alternative) @fold
(preproc_elif alternative: (_) @fold.close) @fold
(preproc_elif !alternative) @fold
(preproc_elifdef alternative: (_) @fold.close) @fold
(preproc_elifdef !alternative) @fold
(preproc_else) @fold

(comment) @fold.comment

(preproc_include) @fold.imports

((preproc_call) @fold.region.start
  (#match? @fold.region.start "^#\\s*pragma\\s+region\\b"))
((preproc_call) @fold.region.end
  (#match? @fold.region.end "^#\\s*pragma\\s+endregion\\b"))
