//! An Orchestrade strategy plugin in Rust: a `cdylib` that exports `ot_module_entry_v1` and
//! nothing else, written against the layout of `orchestrade/ot_plugin.h` with the standard library
//! only. The strategy is in `ema_cross.rs`; this file is the C ABI around it.
//!
//! The rules every plugin follows, whatever its language: static tables with `struct_size` set,
//! parameters walked with the host's element size, inputs borrowed for the call, signals pushed
//! into the host's sink (which copies them), and no panic ever unwinding into the host.

mod abi;
mod ema_cross;

use abi::*;
use ema_cross::EmaCross;
use std::any::Any;
use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_void};
use std::panic::{self, AssertUnwindSafe};
use std::ptr;

/// A NUL-terminated string literal as a C string pointer.
macro_rules! cstr {
    ($s:expr) => {
        concat!($s, "\0").as_ptr() as *const c_char
    };
}

static PARAMS: [ParamSpec; 2] = [
    ParamSpec {
        struct_size: size_of::<ParamSpec>(),
        kind: OT_PARAM_INT,
        flags: 0,
        reserved: 0,
        key: cstr!("fast"),
        description: cstr!("bars in the fast average"),
        min_value: 1.0,
        max_value: 10000.0,
        default_text: cstr!("12"),
        choices: ptr::null(),
    },
    ParamSpec {
        struct_size: size_of::<ParamSpec>(),
        kind: OT_PARAM_INT,
        flags: 0,
        reserved: 0,
        key: cstr!("slow"),
        description: cstr!("bars in the slow average (more than fast)"),
        min_value: 2.0,
        max_value: 10000.0,
        default_text: cstr!("26"),
        choices: ptr::null(),
    },
];

static DESCRIPTOR: Descriptor = Descriptor {
    struct_size: size_of::<Descriptor>(),
    kind: OT_KIND_STRATEGY,
    id: cstr!("com.example.ema_cross"),
    short_name: cstr!("ema_cross"),
    name: cstr!("EMA crossover (Rust)"),
    version: cstr!("1.0.0"),
    vendor: cstr!("Example Corp"),
    description: cstr!("BUY when the fast EMA crosses above the slow one, SELL when below"),
    params: &PARAMS as *const [ParamSpec; 2] as *const ParamSpec,
    param_count: 2,
    capabilities: 0,
};

static FACTORY: Factory = Factory {
    struct_size: size_of::<Factory>(),
    reserved: 0,
    descriptor: &DESCRIPTOR,
    create,
};

// min_host_minor 0: nothing newer than ABI 1.0 is used, so any 1.x host loads this plugin.
static MODULE: Module = Module {
    struct_size: size_of::<Module>(),
    abi_major: OT_ABI_MAJOR,
    abi_minor: OT_ABI_MINOR,
    min_host_minor: 0,
    sdk_version: cstr!("rust"),
    init: None,
    deinit: None,
    factory_count,
    factory_at,
};

/// The one symbol the library exports.
#[no_mangle]
pub extern "C" fn ot_module_entry_v1() -> *const Module {
    &MODULE
}

unsafe extern "C" fn factory_count() -> u32 {
    1
}

unsafe extern "C" fn factory_at(index: u32) -> *const Factory {
    if index == 0 {
        &FACTORY
    } else {
        ptr::null()
    }
}

/// One strategy instance; the host holds a pointer to `table`, whose `self_` points here.
struct Instance {
    table: Strategy,
    host: *const Host,
    strategy: EmaCross,
}

type Failure = (Status, String);

/// Writes a status and a message into the caller's error struct.
unsafe fn fail(err: *mut Error, code: Status, message: &str) -> Status {
    if let Some(err) = err.as_mut() {
        err.code = code;
        let bytes = &message.as_bytes()[..message.len().min(OT_ERROR_MESSAGE_SIZE - 1)];
        for (dst, &src) in err.message.iter_mut().zip(bytes) {
            *dst = src as c_char;
        }
        err.message[bytes.len()] = 0;
    }
    code
}

fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text.to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "panic".to_string()
    }
}

/// Runs plugin code for the host: an error becomes its status, a panic OT_E_PLUGIN.
fn guarded<F: FnOnce() -> Result<(), Failure>>(err: *mut Error, body: F) -> Status {
    match panic::catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => OT_OK,
        Ok(Err((code, message))) => unsafe { fail(err, code, &message) },
        Err(payload) => unsafe { fail(err, OT_E_PLUGIN, &panic_text(payload.as_ref())) },
    }
}

unsafe fn instance<'a>(s: *mut Strategy) -> &'a mut Instance {
    &mut *((*s).self_ as *mut Instance)
}

/// An INT parameter. The host has filled in defaults, so every key of the schema is present.
/// Elements are walked with the host's struct_size: a newer host's may be longer than ours.
unsafe fn int_param(info: &CreateInfo, key: &str) -> Result<i64, Failure> {
    let base = info.params as *const u8;
    let stride = if info.param_count > 0 {
        (*info.params).struct_size as usize
    } else {
        0
    };
    for i in 0..info.param_count as usize {
        let value = &*(base.add(i * stride) as *const ParamValue);
        if CStr::from_ptr(value.key).to_bytes() == key.as_bytes() {
            return Ok(value.int_value);
        }
    }
    Err((
        OT_E_INVALID_ARG,
        format!("parameter '{}' has no value", key),
    ))
}

unsafe extern "C" fn create(
    _factory: *const Factory,
    host: *const Host,
    info: *const CreateInfo,
    out: *mut *mut c_void,
    err: *mut Error,
) -> Status {
    guarded(err, || {
        let info = &*info;
        let fast = int_param(info, "fast")?;
        let slow = int_param(info, "slow")?;
        if fast >= slow {
            let message = format!("fast ({}) must be below slow ({})", fast, slow);
            return Err((OT_E_INVALID_ARG, message));
        }
        let instance = Box::into_raw(Box::new(Instance {
            table: Strategy {
                struct_size: size_of::<Strategy>(),
                reserved: 0,
                self_: ptr::null_mut(),
                start,
                warmup_bars,
                on_bars,
                on_event: None,
                stop,
                destroy,
                get_extension,
            },
            host,
            strategy: EmaCross::new(fast as usize, slow as usize),
        }));
        (*instance).table.self_ = instance as *mut c_void;
        *out = &mut (*instance).table as *mut Strategy as *mut c_void;
        Ok(())
    })
}

unsafe extern "C" fn start(s: *mut Strategy, err: *mut Error) -> Status {
    guarded(err, || {
        let instance = instance(s);
        let line = CString::new(format!(
            "EMA crossover, {} bars of warm-up",
            instance.strategy.warmup_bars()
        ))
        .map_err(|e| (OT_E_PLUGIN, e.to_string()))?;
        ((*instance.host).log)(instance.host, OT_LOG_INFO, line.as_ptr());
        Ok(())
    })
}

unsafe extern "C" fn warmup_bars(s: *mut Strategy) -> u32 {
    instance(s).strategy.warmup_bars() as u32
}

unsafe extern "C" fn on_bars(
    s: *mut Strategy,
    bars: *const BarBatch,
    out: *const SignalSink,
    err: *mut Error,
) -> Status {
    guarded(err, || {
        let strategy = &mut instance(s).strategy;
        let bars = &*bars;
        let out = &*out;
        let warmup = bars.flags & OT_BATCH_WARMUP != 0;
        for i in 0..bars.count as usize {
            let symbol = *bars.symbols.add(*bars.symbol.add(i) as usize);
            let name = CStr::from_ptr(symbol)
                .to_str()
                .map_err(|_| (OT_E_INVALID_ARG, "a symbol is not UTF-8".to_string()))?;
            let crossing = match strategy.update(name, *bars.close.add(i)) {
                Some(crossing) => crossing,
                None => continue,
            };
            if warmup {
                continue; // history: state only, signals would be ignored
            }
            let metadata = CString::new(format!(
                "{{\"fast_ema\": {:.6}, \"slow_ema\": {:.6}}}",
                crossing.fast, crossing.slow
            ))
            .map_err(|e| (OT_E_PLUGIN, e.to_string()))?;
            let signal = Signal {
                struct_size: size_of::<Signal>(),
                action: if crossing.up {
                    OT_ACTION_BUY
                } else {
                    OT_ACTION_SELL
                },
                symbol,
                time_ms: *bars.open_time_ms.add(i),
                size_pct: 0.0,
                stop_loss: 0.0,
                take_profit: 0.0,
                confidence: -1.0,
                reason: if crossing.up {
                    cstr!("fast EMA crossed above the slow one")
                } else {
                    cstr!("fast EMA crossed below the slow one")
                },
                metadata_json: metadata.as_ptr(),
            };
            // The host copies the signal during the call: the borrowed pointers may then go.
            if (out.push)(out.ctx, &signal) != OT_OK {
                return Err((OT_E_HOST, "the host refused a signal".to_string()));
            }
        }
        Ok(())
    })
}

unsafe extern "C" fn stop(_s: *mut Strategy, _err: *mut Error) -> Status {
    OT_OK
}

unsafe extern "C" fn destroy(s: *mut Strategy) {
    drop(Box::from_raw((*s).self_ as *mut Instance));
}

unsafe extern "C" fn get_extension(_s: *mut Strategy, _id: *const c_char) -> *const c_void {
    ptr::null()
}
