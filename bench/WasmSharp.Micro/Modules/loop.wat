;; A steady-state interpreter loop: arithmetic, memory loads and stores, compare-and-branch and calls,
;; N iterations per invocation. WasmSharp must allocate nothing while it runs, however many instructions.
(module
  (memory 1)
  (func $mix (param i32 i32) (result i32)
    (i32.xor (i32.mul (local.get 0) (i32.const 31)) (local.get 1)))
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (loop $l
      (i32.store (i32.and (i32.shl (local.get $i) (i32.const 2)) (i32.const 0xfffc))
        (local.tee $acc (call $mix (local.get $acc) (i32.load (i32.and (i32.shl (local.get $i) (i32.const 2)) (i32.const 0xfffc))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc)))
