; Folding ranges (textDocument/foldingRange) for Bash.
;
; Capture convention (see server/src/features/folding.ts):
;   @fold            a foldable node; several in one match = one range, first start to last end
;   @fold.close      the closing delimiter of a @fold match (default: the last child when anonymous:
;                    `}` `)` `fi` `done` `esac` `;;`)
;   @fold.comment    comments: consecutive line comments fold as one run
;   @fold.imports    `source` / `.` commands: consecutive ones fold as one range of kind imports
;   @fold.region.start / @fold.region.end   `# region` ... `# endregion` markers
; The closing keyword stays visible: a fold ends on the line before a `fi`,
; `done` or `esac` that begins its line.

[
  (compound_statement)
  (subshell)
  (do_group)
  (if_statement)
  (elif_clause)
  (else_clause)
  (case_statement)
  (case_item)
  (array)
  (string)
  (raw_string)
  (command_substitution)
] @fold

; A here-document up to its terminator, which stays visible.
(heredoc_redirect (heredoc_end) @fold.close) @fold

(comment) @fold.comment

((command name: (command_name) @_name) @fold.imports
  (#match? @_name "^(source|\\.)$"))

((comment) @fold.region.start
  (#match? @fold.region.start "^#\\s*region\\b"))
((comment) @fold.region.end
  (#match? @fold.region.end "^#\\s*endregion\\b"))
