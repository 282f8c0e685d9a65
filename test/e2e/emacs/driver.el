;;; driver.el --- drives a real Emacs (-nw, eglot) for test/e2e/emacs.test.ts  -*- lexical-binding: t -*-

;; Loads the README's configuration ($CST_E2E_CONFIG), then plays a user at
;; the keyboard: keys go to `unread-command-events' one at a time, so Emacs's
;; own command loop runs them (self-insert, after-change, post-command hooks,
;; eglot's 0.5 s idle timer before didChange). The script is a generator
;; resumed by timers: between two steps the command loop is idle, as it is
;; between keystrokes. Results go as JSON to $CST_E2E_OUT.

(require 'generator)
;; No background native compilation of packages (CPU, and its warnings pop up a window).
(setq native-comp-deferred-compilation nil
      native-comp-async-report-warnings-errors 'silent)
(require 'json)
(require 'subr-x)

(defvar cst-e2e--out (or (getenv "CST_E2E_OUT") (error "CST_E2E_OUT is unset")))
(defvar cst-e2e--results (make-hash-table :test 'equal))
(defvar cst-e2e--script nil)

(defun cst-e2e--put (key value) (puthash key value cst-e2e--results))

(defun cst-e2e--write ()
  (let ((coding-system-for-write 'utf-8-unix))
    (with-temp-file cst-e2e--out (insert (json-encode cst-e2e--results)))))

(defun cst-e2e--step (name)
  (cst-e2e--put "steps" (vconcat (gethash "steps" cst-e2e--results) (list name)))
  (cst-e2e--write)) ; a run that hangs later still shows how far it got

(defun cst-e2e--fail (err)
  (cst-e2e--put "error" (format "%S" err))
  (cst-e2e--write)
  (kill-emacs 1))

(defun cst-e2e--resume ()
  ;; Timers also run inside a command that waits for the server (eglot's
  ;; on-type formatting after `;' or `}' is a blocking request). Resuming the
  ;; script there would nest its requests inside eglot's, and eglot's reply
  ;; would unwind through them: wait until the command loop is between commands.
  (if this-command
      (run-with-timer 0.02 nil #'cst-e2e--resume)
    (condition-case err
        (run-with-timer (iter-next cst-e2e--script) nil #'cst-e2e--resume)
      (iter-end-of-sequence nil)
      (error (cst-e2e--fail err)))))

(defmacro cst-e2e--wait-until (what form &optional timeout)
  "Yield until FORM is non-nil (its value), or fail after TIMEOUT seconds (30)."
  (let ((deadline (make-symbol "deadline")) (value (make-symbol "value")))
    `(let ((,deadline (+ (float-time) (or ,timeout 30))) (,value nil))
       (while (not (setq ,value ,form))
         (when (> (float-time) ,deadline) (error "Timed out waiting for %s" ,what))
         (iter-yield 0.05))
       ,value)))

(defmacro cst-e2e--type (keys &optional gap)
  "Give KEYS (a string in `kbd' syntax, or a list of such strings) to the command loop one key at a time."
  `(dolist (key (if (listp ,keys) ,keys (list ,keys)))
     (dolist (event (listify-key-sequence (kbd key)))
       (setq unread-command-events (append unread-command-events (list event)))
       (iter-yield (or ,gap 0.03)))))

(defun cst-e2e--chars (s)
  "S as a list of single-key strings in `kbd' syntax."
  (mapcar (lambda (c) (if (eq c ?\s) "SPC" (string c))) s))

(defun cst-e2e--outline ()
  "The current buffer's imenu index (what eglot's `eglot-imenu' builds from documentSymbol), flattened to \"Kind name\"."
  (let (names)
    (cl-labels ((walk (prefix items)
                  (dolist (item items)
                    (if (imenu--subalist-p item)
                        (walk (if prefix (concat prefix " " (car item)) (car item)) (cdr item))
                      (push (concat prefix " " (car item)) names)))))
      (walk nil (funcall imenu-create-index-function)))
    (vconcat (sort names #'string<))))

(defun cst-e2e--server-request (method params)
  (jsonrpc-request (eglot--current-server-or-lose) method params))

(defmacro cst-e2e--open (file)
  "Open FILE as a user does: C-x C-f FILE RET (eglot-ensure connects after the command). The buffer."
  `(progn
     (cst-e2e--type "C-x C-f")
     (cst-e2e--type (cst-e2e--chars ,file))
     (cst-e2e--type "RET")
     (cst-e2e--wait-until (format "eglot to manage %s" ,file)
                          (with-current-buffer (window-buffer)
                            (and (equal (file-name-nondirectory (or buffer-file-name "")) ,file)
                                 (bound-and-true-p eglot--managed-mode)
                                 (current-buffer))))))

(defun cst-e2e--stats (buf)
  (with-current-buffer buf (cst-e2e--server-request :$/cstStats nil)))

(iter-defun cst-e2e--main ()
  (load (or (getenv "CST_E2E_CONFIG") (error "CST_E2E_CONFIG is unset")) nil t)
  (let (js py server before)
    ;; JavaScript: outline, formatting, typing.
    (setq js (cst-e2e--open "app.js"))
    (setq server (with-current-buffer js (eglot-current-server)))
    (cst-e2e--put "pid" (process-id (jsonrpc--process server)))
    (cst-e2e--put "major_mode" (symbol-name (buffer-local-value 'major-mode js)))
    (cst-e2e--step "attached")
    (with-current-buffer js
      (cst-e2e--put "js_outline" (cst-e2e--outline))
      (cst-e2e--step "outline")
      (setq-local indent-tabs-mode nil)
      (setq-local tab-width 2)
      (cst-e2e--put "js_before_format" (buffer-substring-no-properties (point-min) (point-max)))
      (eglot-format-buffer)
      (cst-e2e--put "js_after_format" (buffer-substring-no-properties (point-min) (point-max)))
      (cst-e2e--step "formatted")
      (setq before (cst-e2e--stats js)))
    ;; Append to the first line (after an emoji: UTF-16 columns), then add a function at the end.
    (cst-e2e--type '("M-<" "C-e"))
    (cst-e2e--type (cst-e2e--chars " and 漢字"))
    (cst-e2e--type "M->")
    (cst-e2e--type (cst-e2e--chars "function added(n) {"))
    (cst-e2e--type "RET")
    (cst-e2e--type (cst-e2e--chars "return n + 1;"))
    (cst-e2e--type "RET")
    (cst-e2e--type "}")
    ;; The last key is read after the yield: wait for it (a loaded machine takes longer than the gap).
    (cst-e2e--put "js_typed_text"
                  (cst-e2e--wait-until "the typed closing brace"
                                       (with-current-buffer js
                                         (let ((text (buffer-substring-no-properties (point-min) (point-max))))
                                           (and (string-match-p "}\n?\\'" text) text)))))
    ;; imenu's documentSymbol request does not flush eglot's pending changes (it is
    ;; not :deferred): the outline follows once eglot sends them, after 0.5 s
    ;; without input or before a deferred request (on-type formatting after ; and }).
    (cst-e2e--put "js_outline_after_typing"
                  (cst-e2e--wait-until "the typed function in the outline"
                                       (let ((names (with-current-buffer js (cst-e2e--outline))))
                                         (and (seq-some (lambda (n) (string-match-p "added" n)) names) names))))
    ;; Then every change reaches the server: its version catches up with the buffer's.
    (let ((tree (cst-e2e--wait-until "the server to reach the buffer's version"
                                     (with-current-buffer js
                                       (let ((tree (cst-e2e--server-request
                                                    :$/cstDebugTree (list :uri (eglot--path-to-uri buffer-file-name) :text t :digest :json-false))))
                                         (and (equal (plist-get tree :version) eglot--versioned-identifier) tree)))))
          (after (cst-e2e--stats js))
          (delta (lambda (after before kind) (- (plist-get (plist-get after :parses) kind) (plist-get (plist-get before :parses) kind)))))
      (cst-e2e--put "js_buffer_text" (with-current-buffer js (buffer-substring-no-properties (point-min) (point-max))))
      (cst-e2e--put "js_server_text" (plist-get tree :text))
      (cst-e2e--put "js_last_parse" (plist-get tree :lastParse))
      (cst-e2e--put "typing_parses" (list (cons "full" (funcall delta after before :full))
                                          (cons "incremental" (funcall delta after before :incremental)))))
    (cst-e2e--step "typed")

    ;; Python: outline, then completion with C-M-i (completion-at-point) in the middle of typing.
    (setq py (cst-e2e--open "util.py"))
    (with-current-buffer py (cst-e2e--put "py_outline" (cst-e2e--outline)))
    (cst-e2e--type '("M->" "RET"))
    (cst-e2e--type (cst-e2e--chars "print(gre"))
    (cst-e2e--type "C-M-i") ; completes the common part of the candidates
    (cst-e2e--put "py_line_after_completion"
                  (cst-e2e--wait-until "completion in the buffer"
                                       (with-current-buffer py
                                         (let ((line (buffer-substring-no-properties (line-beginning-position) (line-end-position))))
                                           (and (not (equal line "print(gre")) line)))))
    (cst-e2e--type "C-M-i") ; lists them
    (cst-e2e--put "py_completions_buffer"
                  (cst-e2e--wait-until "the *Completions* buffer"
                                       (when-let ((b (get-buffer "*Completions*")))
                                         (with-current-buffer b (buffer-substring-no-properties (point-min) (point-max))))))
    (cst-e2e--step "completed")

    ;; The README's command, typed: M-x cst-stats RET.
    (cst-e2e--type "M-x")
    (cst-e2e--type (cst-e2e--chars "cst-stats"))
    (cst-e2e--type "RET")
    (cst-e2e--put "cst_stats_message"
                  (cst-e2e--wait-until "the cst-stats message" (let ((m (current-message))) (and m (string-prefix-p "CST " m) m))))
    (with-current-buffer py
      (cst-e2e--put "stats" (cst-e2e--server-request :$/cstStats nil))
      (cst-e2e--put "health" (cst-e2e--server-request :$/health nil)))
    (cst-e2e--step "stats")
    (cst-e2e--write)
    ;; Quit as a user does; "!" answers the save prompt (all at once: the script
    ;; does not resume while a command waits for an answer).
    (setq unread-command-events (append unread-command-events (listify-key-sequence (kbd "C-x C-c !"))))))

(setq cst-e2e--script (cst-e2e--main))
(run-with-timer 0.2 nil #'cst-e2e--resume)
