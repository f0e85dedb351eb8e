;; asset-ledger v2: as v1, but every transfer costs a fee of 1 unit, collected under "fees";
;; `fees` reports the total. Storage is shared with v1, so balances carry over.
(module
  (import "env" "storage_get_i64" (func $get (param i32 i32) (result i64)))
  (import "env" "storage_set_i64" (func $set (param i32 i32 i64)))
  (import "env" "caller" (func $caller (param i32 i32) (result i32)))
  (import "env" "arg" (func $arg (param i32 i32 i32) (result i32)))
  (import "env" "arg_count" (func $arg_count (result i32)))
  (import "env" "arg_i64" (func $arg_i64 (param i32) (result i64)))
  (import "env" "emit" (func $emit (param i32 i32 i32 i32)))
  (import "env" "abort" (func $abort (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 512) "bal:")
  (data (i32.const 520) "supply")
  (data (i32.const 528) "amount must be positive")
  (data (i32.const 560) "insufficient balance")
  (data (i32.const 592) "issued")
  (data (i32.const 600) "transfer")
  (data (i32.const 640) "name too long")
  (data (i32.const 656) "transfer needs a recipient")
  (data (i32.const 688) "fees")

  ;; Copies $len bytes from $src to $dst.
  (func $copy (param $dst i32) (param $src i32) (param $len i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $len)))
        (i32.store8 (local.get $dst) (i32.load8_u (local.get $src)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
        (local.set $src (i32.add (local.get $src) (i32.const 1)))
        (local.set $len (i32.sub (local.get $len) (i32.const 1)))
        (br $next))))

  ;; Builds "bal:" + name at 1024 and returns the key's length.
  (func $balkey (param $ptr i32) (param $len i32) (result i32)
    (if (i32.gt_u (local.get $len) (i32.const 64))
      (then (call $abort (i32.const 640) (i32.const 13))))
    (call $copy (i32.const 1024) (i32.const 512) (i32.const 4))
    (call $copy (i32.const 1028) (local.get $ptr) (local.get $len))
    (i32.add (local.get $len) (i32.const 4)))

  ;; The caller's name at 0, its length returned.
  (func $me (result i32)
    (call $caller (i32.const 0) (i32.const 64)))

  (func $positive (param $amount i64)
    (if (i64.le_s (local.get $amount) (i64.const 0))
      (then (call $abort (i32.const 528) (i32.const 23)))))

  ;; issue AMOUNT: creates AMOUNT units in the caller's account.
  (func (export "issue")
    (local $amount i64) (local $n i32) (local $k i32)
    (local.set $amount (call $arg_i64 (i32.const 0)))
    (call $positive (local.get $amount))
    (local.set $n (call $me))
    (local.set $k (call $balkey (i32.const 0) (local.get $n)))
    (call $set (i32.const 1024) (local.get $k)
      (i64.add (call $get (i32.const 1024) (local.get $k)) (local.get $amount)))
    (call $set (i32.const 520) (i32.const 6)
      (i64.add (call $get (i32.const 520) (i32.const 6)) (local.get $amount)))
    (call $emit (i32.const 592) (i32.const 6) (i32.const 0) (local.get $n)))

  ;; transfer TO AMOUNT: moves AMOUNT units from the caller to TO, and 1 more as the fee.
  (func (export "transfer")
    (local $amount i64) (local $n i32) (local $k i32) (local $from i64) (local $to i32)
    (local.set $amount (call $arg_i64 (i32.const 1)))
    (call $positive (local.get $amount))
    (local.set $n (call $me))
    (local.set $k (call $balkey (i32.const 0) (local.get $n)))
    (local.set $from (call $get (i32.const 1024) (local.get $k)))
    (if (i64.lt_s (local.get $from) (i64.add (local.get $amount) (i64.const 1)))
      (then (call $abort (i32.const 560) (i32.const 20))))
    (call $set (i32.const 1024) (local.get $k)
      (i64.sub (local.get $from) (i64.add (local.get $amount) (i64.const 1))))
    (call $set (i32.const 688) (i32.const 4)
      (i64.add (call $get (i32.const 688) (i32.const 4)) (i64.const 1)))
    (local.set $to (call $arg (i32.const 0) (i32.const 128) (i32.const 64)))
    (if (i32.lt_s (local.get $to) (i32.const 0))
      (then (call $abort (i32.const 656) (i32.const 26))))
    (local.set $k (call $balkey (i32.const 128) (local.get $to)))
    (call $set (i32.const 1024) (local.get $k)
      (i64.add (call $get (i32.const 1024) (local.get $k)) (local.get $amount)))
    (call $emit (i32.const 600) (i32.const 8) (i32.const 128) (local.get $to)))

  ;; balance [NAME]: the balance of NAME, or of the caller.
  (func (export "balance") (result i64)
    (local $n i32)
    (if (i32.gt_s (call $arg_count) (i32.const 0))
      (then (local.set $n (call $arg (i32.const 0) (i32.const 0) (i32.const 64))))
      (else (local.set $n (call $me))))
    (call $get (i32.const 1024) (call $balkey (i32.const 0) (local.get $n))))

  ;; supply: every unit ever issued.
  (func (export "supply") (result i64)
    (call $get (i32.const 520) (i32.const 6)))

  ;; fees: every fee collected by transfers.
  (func (export "fees") (result i64)
    (call $get (i32.const 688) (i32.const 4)))
)
