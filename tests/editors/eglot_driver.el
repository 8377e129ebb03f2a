;;; eglot_driver.el --- batch Emacs (28) + eglot (1.9) end-to-end check of crew-lsp  -*- lexical-binding: t -*-
;; Usage: emacs -Q --batch -l tests/editors/eglot_driver.el
;; Env: CREW_PYTHON, CREW_FILE (broken team file), CREW_OUT (result JSON), CREW_ELPA (Debian's elpa dir).
;; Exit code 0 on success, 1 on failure.
(require 'package)
(setq package-load-list '(all))
;; -Q skips site-start, so Debian's elpa-eglot (/usr/share/emacs/site-lisp/elpa) is initialised by hand
(setq package-directory-list (list (or (getenv "CREW_ELPA") "/usr/share/emacs/site-lisp/elpa")))
(setq package-user-dir (expand-file-name "elpa-user" (or (getenv "XDG_CACHE_HOME") temporary-file-directory)))
(package-initialize)
(require 'eglot)
(require 'json)
(require 'cl-lib)

(defvar crew-python (getenv "CREW_PYTHON"))
(defvar crew-file (getenv "CREW_FILE"))
(defvar crew-out (getenv "CREW_OUT"))
(defvar crew-raw-diags nil)

;; record the raw publishDiagnostics independently of flymake's timers
(advice-add 'eglot-handle-notification :before
            (lambda (_server method &rest params)
              (when (eq method 'textDocument/publishDiagnostics)
                (push params crew-raw-diags))))

(add-to-list 'eglot-server-programs
             `(text-mode . (,crew-python "-m" "crew_lsp" "serve")))
(setq eglot-sync-connect t
      eglot-connect-timeout 30
      eglot-autoshutdown t
      flymake-no-changes-timeout nil)

(defun crew-wait (pred secs)
  (let ((end (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) end))
      (accept-process-output nil 0.05))
    (funcall pred)))

(defun crew-finish (ok result)
  (with-temp-file crew-out (insert (json-encode result)))
  (ignore-errors (eglot-shutdown (eglot-current-server)))
  (kill-emacs (if ok 0 1)))

(condition-case err
    (progn
      (find-file crew-file)
      (text-mode)
      ;; eglot-ensure defers to post-command-hook, which never runs in batch: connect directly
      (apply #'eglot--connect (eglot--guess-contact))
      (let* ((server (eglot-current-server))
             (got-raw (crew-wait (lambda () crew-raw-diags) 20))
             (_ (flymake-start))
             (got-flymake (crew-wait (lambda () (flymake-diagnostics)) 10))
             (fm (mapcar (lambda (d)
                           (list :line (line-number-at-pos (flymake-diagnostic-beg d))
                                 :col (save-excursion (goto-char (flymake-diagnostic-beg d)) (current-column))
                                 :type (format "%s" (flymake-diagnostic-type d))
                                 :text (flymake-diagnostic-text d)))
                         (flymake-diagnostics)))
             (raw (car (last crew-raw-diags)))
             (raw-list (plist-get raw :diagnostics))
             (raw-codes (mapcar (lambda (d) (plist-get d :code)) raw-list)))
        (crew-finish (and got-raw got-flymake)
                     (list :emacs emacs-version
                           :server (and server (format "%s" (eglot--server-info server)))
                           :raw_publish_count (length crew-raw-diags)
                           :raw_codes (vconcat raw-codes)
                           :flymake_diagnostics (vconcat fm)))))
  (error (crew-finish nil (list :error (format "%S" err)))))
