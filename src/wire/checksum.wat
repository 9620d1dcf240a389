;; The one's-complement sum of RFC 1071 with WebAssembly SIMD, for src/wire/checksum-simd.ts.
;; Assembled by scripts/assemble-wasm.mjs into src/wire/checksum-wasm.ts (flat instructions only:
;; that script reads this subset of the text format, nothing more).
;;
;; `sum(start, end)` sums the bytes [start, end) of the memory, which the caller copied there,
;; taken as 16-bit words in the machine's (little-endian) order from `start`, and returns the sum
;; folded to 16 bits. (The caller copies a whole datagram and sums its TCP part: cutting a view of
;; just that part would cost more than copying the IP header along.)
;; Each word read little-endian is a big-endian word of the data byte-swapped, and the folded sum
;; of swapped words is the swapped folded sum (RFC 1071 §2(B)): the caller swaps the result back.
;; An odd last byte is the low byte of its little-endian word, i.e. the high byte of the
;; big-endian word padded with zero (RFC 1071 §4.1): the 16 bytes after the data are zeroed first.
;;
;; Carries are deferred (RFC 1071 §2(C)): `i32x4.extadd_pairwise_i16x8_u` adds pairs of words
;; into 32-bit lanes, and the lanes are folded once at the end. Each 16 bytes add at most
;; 2 * 0xffff to a lane, so a lane cannot overflow before 2^32 / 2^17 * 16 bytes = 512 KiB; the
;; caller passes data of at most MAX_LEN = 64 KiB, the memory's first page, per call.
(module
  ;; Page 0: the data (up to 64 KiB); page 1: room for the 16 zero bytes after the longest data.
  (memory (export "memory") 2)
  (func (export "sum") (param $i i32) (param $end i32) (result i32)
    (local $a v128) (local $b v128) (local $s i64)
    ;; Zero the 16 bytes after the data, so the last (partial) vector adds nothing beyond it.
    local.get $end
    v128.const i64x2 0 0
    v128.store
    ;; 64 bytes per iteration, in two accumulators so consecutive adds do not wait on each other.
    block $tail
      loop $by64
        local.get $i
        i32.const 64
        i32.add
        local.get $end
        i32.gt_u
        br_if $tail
        local.get $a
        local.get $i
        v128.load
        i32x4.extadd_pairwise_i16x8_u
        i32x4.add
        local.get $i
        v128.load offset=32
        i32x4.extadd_pairwise_i16x8_u
        i32x4.add
        local.set $a
        local.get $b
        local.get $i
        v128.load offset=16
        i32x4.extadd_pairwise_i16x8_u
        i32x4.add
        local.get $i
        v128.load offset=48
        i32x4.extadd_pairwise_i16x8_u
        i32x4.add
        local.set $b
        local.get $i
        i32.const 64
        i32.add
        local.set $i
        br $by64
      end
    end
    ;; The rest, 16 bytes at a time; the last vector reads into the zeroed bytes.
    block $done
      loop $by16
        local.get $i
        local.get $end
        i32.ge_u
        br_if $done
        local.get $a
        local.get $i
        v128.load
        i32x4.extadd_pairwise_i16x8_u
        i32x4.add
        local.set $a
        local.get $i
        i32.const 16
        i32.add
        local.set $i
        br $by16
      end
    end
    ;; The eight 32-bit lanes, widened to 64 bits and added: at most 8 * 2^28, exact.
    local.get $a
    i64x2.extend_low_i32x4_u
    local.get $a
    i64x2.extend_high_i32x4_u
    i64x2.add
    local.get $b
    i64x2.extend_low_i32x4_u
    i64x2.add
    local.get $b
    i64x2.extend_high_i32x4_u
    i64x2.add
    local.tee $a
    i64x2.extract_lane 0
    local.get $a
    i64x2.extract_lane 1
    i64.add
    local.set $s
    ;; Fold the carries back in (end-around carry): three folds bring any sum below 2^48 to 16 bits.
    local.get $s
    i64.const 0xffff
    i64.and
    local.get $s
    i64.const 16
    i64.shr_u
    i64.add
    local.set $s
    local.get $s
    i64.const 0xffff
    i64.and
    local.get $s
    i64.const 16
    i64.shr_u
    i64.add
    local.set $s
    local.get $s
    i64.const 0xffff
    i64.and
    local.get $s
    i64.const 16
    i64.shr_u
    i64.add
    i32.wrap_i64
  )
)
