;; The component whose exports bench/component-calls calls from .NET (reference and compiled glue) and from
;; JavaScript (jco's bindings): one function per signature of issue 15's benchmark, each doing as little as its
;; signature allows (constant time, whatever the size of its argument), so that the time measured is the crossing
;; and not the callee's code, which runs on different engines on either side. Memory for lowered arguments comes from a bump
;; allocator that post-return resets, as generated bindings free after each call.
(component
  (core module $M
    (memory (export "mem") 1)
    (global $base i32 (i32.const 1024))
    (global $next (mut i32) (i32.const 1024))

    ;; realloc(old, old-size, align, new-size): a bump allocation, the old contents copied, memory grown as needed.
    (func (export "realloc") (param $old i32) (param $os i32) (param $al i32) (param $ns i32) (result i32)
      (local $r i32) (local $end i32)
      (local.set $r (i32.and (i32.add (global.get $next) (i32.sub (local.get $al) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get $al))))
      (local.set $end (i32.add (local.get $r) (local.get $ns)))
      (if (i32.gt_u (local.get $end) (i32.shl (memory.size) (i32.const 16)))
        (then (if (i32.lt_s (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $end) (i32.shl (memory.size) (i32.const 16))) (i32.const 16))
                                                  (i32.const 1)))
                            (i32.const 0))
          (then unreachable))))
      (global.set $next (local.get $end))
      (memory.copy (local.get $r) (local.get $old)
        (select (local.get $os) (local.get $ns) (i32.lt_u (local.get $os) (local.get $ns))))
      (local.get $r))
    (func (export "reset-i32") (param i32) (global.set $next (global.get $base)))
    (func (export "reset-f64") (param f64) (global.set $next (global.get $base)))

    ;; add(a: u32, b: u32) -> u32
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))

    ;; echo(s: string) -> string: the same bytes back (stored as (ptr, len) at 0)
    (func (export "echo") (param i32 i32) (result i32)
      (i32.store (i32.const 0) (local.get 0))
      (i32.store (i32.const 4) (local.get 1))
      (i32.const 0))

    ;; size(xs: list<u32>) -> u32: the length (the callee does not walk the list: the crossing is what is timed)
    (func (export "size") (param $p i32) (param $n i32) (result i32) (local.get $n))

    ;; score(p: record { id: u32, name: string, score: f64 }) -> f64
    (func (export "score") (param $id i32) (param $name i32) (param $len i32) (param $score f64) (result f64)
      (f64.add (local.get $score) (f64.convert_i32_u (local.get $len))))

    ;; classify(v: variant { num(u32), text(string), none }) -> result<u32, string>:
    ;; num(n) -> ok(2n), text(s) -> err(s), none -> ok(0); the result is stored at 8
    (func (export "classify") (param $case i32) (param $a i32) (param $b i32) (result i32)
      (if (i32.eq (local.get $case) (i32.const 1))
        (then
          (i32.store8 (i32.const 8) (i32.const 1))
          (i32.store (i32.const 12) (local.get $a))
          (i32.store (i32.const 16) (local.get $b)))
        (else
          (i32.store8 (i32.const 8) (i32.const 0))
          (i32.store (i32.const 12) (i32.shl (local.get $a) (i32.const 1)))))
      (i32.const 8))

    ;; count(items: list<record { id: u32, score: f64 }>) -> u32: the length
    (func (export "count") (param $p i32) (param $n i32) (result i32) (local.get $n))
  )
  (core instance $m (instantiate $M))

  (type $item (record (field "id" u32) (field "name" string) (field "score" f64)))
  (type $entry (record (field "id" u32) (field "score" f64)))
  (type $shape (variant (case "num" u32) (case "text" string) (case "none")))

  (func $add (param "a" u32) (param "b" u32) (result u32)
    (canon lift (core func $m "add")))
  (func $echo (param "s" string) (result string)
    (canon lift (core func $m "echo") (memory (core memory $m "mem")) (realloc (func $m "realloc"))
      (post-return (func $m "reset-i32"))))
  (func $size (param "xs" (list u32)) (result u32)
    (canon lift (core func $m "size") (memory (core memory $m "mem")) (realloc (func $m "realloc"))
      (post-return (func $m "reset-i32"))))
  (func $score (param "p" $item) (result f64)
    (canon lift (core func $m "score") (memory (core memory $m "mem")) (realloc (func $m "realloc"))
      (post-return (func $m "reset-f64"))))
  (func $classify (param "v" $shape) (result (result u32 (error string)))
    (canon lift (core func $m "classify") (memory (core memory $m "mem")) (realloc (func $m "realloc"))
      (post-return (func $m "reset-i32"))))
  (func $count (param "items" (list $entry)) (result u32)
    (canon lift (core func $m "count") (memory (core memory $m "mem")) (realloc (func $m "realloc"))
      (post-return (func $m "reset-i32"))))

  ;; One interface, as WIT tools export worlds: its types and functions.
  (instance $api
    (export "item" (type $item))
    (export "entry" (type $entry))
    (export "shape" (type $shape))
    (export "add" (func $add))
    (export "echo" (func $echo))
    (export "size" (func $size))
    (export "score" (func $score))
    (export "classify" (func $classify))
    (export "count" (func $count)))
  (export "bench:calls/api" (instance $api))
)
