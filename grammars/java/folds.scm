; Folding ranges (textDocument/foldingRange) for Java.
;
; Capture convention (see server/src/features/folding.ts):
;   @fold            a foldable node (the closing `}` stays visible)
;   @fold.comment    comments: block comments fold, consecutive line comments fold as one run
;   @fold.imports    imports: consecutive ones fold as one range of kind imports
;   @fold.region.start / @fold.region.end   `// region` ... `// endregion` markers

[
  (block)
  (class_body)
  (interface_body)
  (enum_body)
  (annotation_type_body)
  (constructor_body)
  (switch_block)
  (switch_block_statement_group)
  (switch_rule)
  (record_pattern_body)
  (module_body)
  (array_initializer)
  (element_value_array_initializer)
  (argument_list)
  (annotation_argument_list)
  (formal_parameters)
  (resource_specification)
  (parenthesized_expression)
  (type_arguments)
  (type_parameters)
] @fold

[
  (line_comment)
  (block_comment)
] @fold.comment

(import_declaration) @fold.imports

((line_comment) @fold.region.start
  (#match? @fold.region.start "^//\\s*#?region\\b"))
((line_comment) @fold.region.end
  (#match? @fold.region.end "^//\\s*#?endregion\\b"))
