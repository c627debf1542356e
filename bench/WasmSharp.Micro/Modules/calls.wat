;; Functions for the call-overhead benchmarks: as little work as a call can carry.
(module
  (import "host" "add" (func $host_add (param i32 i32) (result i32)))
  (import "host" "nop" (func $host_nop))
  (memory (export "memory") 1 65536)

  (func (export "nop"))
  (func (export "add") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add)

  ;; Calls host.add n times, threading its result through: one Wasm->host call per iteration.
  (func (export "call_host_add") (param $n i32) (result i32)
    (local $acc i32)
    block $done
      loop $next
        local.get $n
        i32.eqz
        br_if $done
        local.get $acc
        local.get $n
        call $host_add
        local.set $acc
        local.get $n
        i32.const 1
        i32.sub
        local.set $n
        br $next
      end
    end
    local.get $acc)

  ;; Calls host.nop n times.
  (func (export "call_host_nop") (param $n i32)
    block $done
      loop $next
        local.get $n
        i32.eqz
        br_if $done
        call $host_nop
        local.get $n
        i32.const 1
        i32.sub
        local.set $n
        br $next
      end
    end)

  ;; Grows memory by one page n times; returns the last old size (-1 when a grow failed).
  (func (export "grow_pages") (param $n i32) (result i32)
    (local $r i32)
    block $done
      loop $next
        local.get $n
        i32.eqz
        br_if $done
        i32.const 1
        memory.grow
        local.set $r
        local.get $n
        i32.const 1
        i32.sub
        local.set $n
        br $next
      end
    end
    local.get $r))
