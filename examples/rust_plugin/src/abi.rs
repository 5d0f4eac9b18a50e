//! `#[repr(C)]` mirrors of the parts of `orchestrade/ot_plugin.h` (ABI 1.0) this plugin uses.
//!
//! Structs the host allocates (`ot_host`, `ot_create_info`, `ot_param_value`, `ot_bar_batch`) are
//! mirrored only up to the last field read: the host's are at least that long. Structs this
//! plugin hands over are mirrored whole and say their own size in `struct_size`; a host that knows
//! longer versions reads only that prefix.

use std::os::raw::{c_char, c_void};

pub const OT_ABI_MAJOR: u32 = 1;
pub const OT_ABI_MINOR: u32 = 0;

pub type Status = i32;
pub const OT_OK: Status = 0;
pub const OT_E_INVALID_ARG: Status = -1;
pub const OT_E_PLUGIN: Status = -3;
pub const OT_E_HOST: Status = -4;

pub const OT_LOG_INFO: i32 = 1;
pub const OT_PARAM_INT: i32 = 2;
pub const OT_KIND_STRATEGY: i32 = 2;
pub const OT_ACTION_BUY: i32 = 1;
pub const OT_ACTION_SELL: i32 = 2;
pub const OT_BATCH_WARMUP: u32 = 0x1;

pub const OT_ERROR_MESSAGE_SIZE: usize = 512;

#[repr(C)]
pub struct Error {
    pub code: Status,
    pub message: [c_char; OT_ERROR_MESSAGE_SIZE],
}

/// `ot_host`, up to `log`: the rest of the table (clock, HTTP, state, journal) is not used here.
#[repr(C)]
pub struct Host {
    pub struct_size: u32,
    pub abi_major: u32,
    pub abi_minor: u32,
    pub mode: i32,
    pub host_data: *mut c_void,
    pub host_version: *const c_char,
    pub instance_name: *const c_char,
    pub log: unsafe extern "C" fn(host: *const Host, level: i32, message: *const c_char),
}

#[repr(C)]
pub struct ParamSpec {
    pub struct_size: u32,
    pub kind: i32,
    pub flags: u32,
    pub reserved: u32,
    pub key: *const c_char,
    pub description: *const c_char,
    pub min_value: f64,
    pub max_value: f64,
    pub default_text: *const c_char,
    pub choices: *const *const c_char,
}

#[repr(C)]
pub struct ParamValue {
    pub struct_size: u32,
    pub kind: i32,
    pub key: *const c_char,
    pub int_value: i64,
    pub double_value: f64,
    pub string_value: *const c_char,
}

#[repr(C)]
pub struct Descriptor {
    pub struct_size: u32,
    pub kind: i32,
    pub id: *const c_char,
    pub short_name: *const c_char,
    pub name: *const c_char,
    pub version: *const c_char,
    pub vendor: *const c_char,
    pub description: *const c_char,
    pub params: *const ParamSpec,
    pub param_count: u32,
    pub capabilities: u32,
}

/// `ot_create_info`, up to `universe`.
#[repr(C)]
pub struct CreateInfo {
    pub struct_size: u32,
    pub mode: i32,
    pub params: *const ParamValue,
    pub param_count: u32,
    pub universe_count: u32,
    pub universe: *const *const c_char,
}

/// `ot_bar_batch`, up to `close`.
#[repr(C)]
pub struct BarBatch {
    pub struct_size: u32,
    pub count: u32,
    pub now_ms: i64,
    pub symbols: *const *const c_char,
    pub symbol_count: u32,
    pub flags: u32,
    pub symbol: *const u32,
    pub interval_s: *const i32,
    pub open_time_ms: *const i64,
    pub open: *const f64,
    pub high: *const f64,
    pub low: *const f64,
    pub close: *const f64,
}

#[repr(C)]
pub struct Signal {
    pub struct_size: u32,
    pub action: i32,
    pub symbol: *const c_char,
    pub time_ms: i64,
    pub size_pct: f64,
    pub stop_loss: f64,
    pub take_profit: f64,
    pub confidence: f64,
    pub reason: *const c_char,
    pub metadata_json: *const c_char,
}

#[repr(C)]
pub struct SignalSink {
    pub ctx: *mut c_void,
    pub push: unsafe extern "C" fn(ctx: *mut c_void, signal: *const Signal) -> Status,
}

#[repr(C)]
pub struct Strategy {
    pub struct_size: u32,
    pub reserved: u32,
    pub self_: *mut c_void,
    pub start: unsafe extern "C" fn(s: *mut Strategy, err: *mut Error) -> Status,
    pub warmup_bars: unsafe extern "C" fn(s: *mut Strategy) -> u32,
    pub on_bars: unsafe extern "C" fn(
        s: *mut Strategy,
        bars: *const BarBatch,
        out: *const SignalSink,
        err: *mut Error,
    ) -> Status,
    /// Takes an `ot_event*`; this plugin leaves it NULL (no scheduler events).
    pub on_event: Option<
        unsafe extern "C" fn(
            s: *mut Strategy,
            event: *const c_void,
            out: *const SignalSink,
            err: *mut Error,
        ) -> Status,
    >,
    pub stop: unsafe extern "C" fn(s: *mut Strategy, err: *mut Error) -> Status,
    pub destroy: unsafe extern "C" fn(s: *mut Strategy),
    pub get_extension: unsafe extern "C" fn(s: *mut Strategy, id: *const c_char) -> *const c_void,
}

#[repr(C)]
pub struct Factory {
    pub struct_size: u32,
    pub reserved: u32,
    pub descriptor: *const Descriptor,
    pub create: unsafe extern "C" fn(
        factory: *const Factory,
        host: *const Host,
        info: *const CreateInfo,
        out: *mut *mut c_void,
        err: *mut Error,
    ) -> Status,
}

#[repr(C)]
pub struct Module {
    pub struct_size: u32,
    pub abi_major: u32,
    pub abi_minor: u32,
    pub min_host_minor: u32,
    pub sdk_version: *const c_char,
    pub init: Option<unsafe extern "C" fn(host: *const Host, err: *mut Error) -> Status>,
    pub deinit: Option<unsafe extern "C" fn()>,
    pub factory_count: unsafe extern "C" fn() -> u32,
    pub factory_at: unsafe extern "C" fn(index: u32) -> *const Factory,
}

// The static tables hold only pointers to other statics and string literals, never written.
unsafe impl Sync for ParamSpec {}
unsafe impl Sync for Descriptor {}
unsafe impl Sync for Factory {}
unsafe impl Sync for Module {}

/// `struct_size` of a struct this plugin fills in.
pub const fn size_of<T>() -> u32 {
    std::mem::size_of::<T>() as u32
}
