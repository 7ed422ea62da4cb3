#!/bin/sh
# Entry point of the gluon-tutorials image. Before running the command it checks that a GPU
# the command asks for (--ctx gpu, --ctx gpu:N) is there and can run this image's MXNet, and
# says so in plain words when not, instead of letting MXNet fail deep inside a kernel launch.
#
#   GLUON_TUTORIALS_SKIP_GPU_CHECK=1   run the command without any check
#   GLUON_TUTORIALS_MXNET_ARCHS_FILE   the SM architectures the image's MXNet carries code for
#                                      (written at build time; absent = not known, not checked)
#   GLUON_TUTORIALS_CUDA_COMPAT        CUDA's forward-compatibility libcuda, used only when no
#                                      GPU is attached, so that MXNet still imports for the CPU
#   GLUON_TUTORIALS_BASE_ENTRYPOINT    the base image's own entry point (NGC), run after ours
set -eu

archs_file=${GLUON_TUTORIALS_MXNET_ARCHS_FILE:-/etc/gluon-tutorials/mxnet-archs}
cuda_compat=${GLUON_TUTORIALS_CUDA_COMPAT:-/usr/local/cuda/compat}
base_entrypoint=${GLUON_TUTORIALS_BASE_ENTRYPOINT:-/opt/nvidia/nvidia_entrypoint.sh}
ngc_hint="docker build --build-arg BASE_IMAGE=nvcr.io/nvidia/mxnet:24.06-py3 -t gluon-tutorials:ngc ."
cpu_hint="docker run --rm IMAGE python -m gluon_tutorials reproduce --ctx cpu --out reports"

say() { printf 'gluon-tutorials: %s\n' "$*" >&2; }

run() {
    if [ -x "$base_entrypoint" ]; then
        exec "$base_entrypoint" "$@"
    fi
    exec "$@"
}

if [ "${GLUON_TUTORIALS_SKIP_GPU_CHECK:-0}" = 1 ]; then
    run "$@"
fi

# Does the command ask for a GPU? (--ctx auto takes one only when it works, so it does not.)
wants_gpu=no
prev=
for arg in "$@"; do
    case $arg in
        --ctx=[gG][pP][uU]*) wants_gpu=yes ;;
    esac
    if [ "$prev" = --ctx ]; then
        case $arg in
            [gG][pP][uU]*) wants_gpu=yes ;;
        esac
    fi
    prev=$arg
done

# No nvidia-smi: the container was started without `--gpus` (or without the NVIDIA Container
# Toolkit), so not even the driver's libcuda is here.
if ! command -v nvidia-smi >/dev/null 2>&1; then
    if [ "$wants_gpu" = yes ]; then
        say "no NVIDIA GPU is visible in this container, but the command asks for one (--ctx gpu)."
        say "  Start it with the GPU:   docker run --gpus all ... (needs the NVIDIA Container Toolkit)"
        say "  or ask for the CPU:      $cpu_hint"
        exit 1
    fi
    # The CUDA build of MXNet links libcuda.so.1; the compat copy lets it load and run on the CPU.
    if [ -e "$cuda_compat/libcuda.so.1" ]; then
        LD_LIBRARY_PATH=${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$cuda_compat
        export LD_LIBRARY_PATH
    fi
    run "$@"
fi

if ! gpus=$(nvidia-smi --query-gpu=index,name,compute_cap --format=csv,noheader 2>&1); then
    case $gpus in
        *compute_cap*)
            # Drivers before R510 cannot report it; MXNet itself will tell.
            say "note: this driver's nvidia-smi cannot report the compute capability; not checked."
            run "$@" ;;
    esac
    if [ "$wants_gpu" = yes ]; then
        say "nvidia-smi cannot reach a GPU, but the command asks for one (--ctx gpu). It said:"
        printf '%s\n' "$gpus" | sed 's/^/    /' >&2
        say "  ask for the CPU instead:  $cpu_hint"
        exit 1
    fi
    run "$@"
fi

archs=
if [ -r "$archs_file" ]; then
    archs=$(cat "$archs_file")
fi
if [ -z "$archs" ]; then
    run "$@"
fi

# A cubin built for sm_XY runs on compute capability X.Z with Z >= Y; with no PTX in the
# build, nothing else does (no JIT for newer GPUs).
unsupported=
nl='
'
while IFS= read -r line; do
    [ -n "$line" ] || continue
    index=${line%%, *}
    rest=${line#*, }
    name=${rest%, *}
    cap=${line##*, }
    major=${cap%%.*}
    minor=${cap#*.}
    case $major$minor in
        '' | *[!0-9]*) say "note: GPU $index ($name) reports compute capability '$cap'; not checked."
                       continue ;;
    esac
    ok=no
    for arch in $archs; do
        arch_major=${arch%?}
        arch_minor=${arch#"$arch_major"}
        if [ "$arch_major" = "$major" ] && [ "$arch_minor" -le "$minor" ]; then
            ok=yes
        fi
    done
    if [ "$ok" = no ]; then
        unsupported="$unsupported${unsupported:+$nl}  GPU $index: $name, compute capability $cap (sm_$major$minor)"
    fi
done <<EOF
$gpus
EOF

if [ -n "$unsupported" ]; then
    sm_list=$(for arch in $archs; do printf 'sm_%s ' "$arch"; done)
    if [ "$wants_gpu" = yes ]; then
        say "the MXNet in this image cannot run on this GPU:"
    else
        say "warning: the MXNet in this image cannot use this GPU; it will compute on the CPU:"
    fi
    printf '%s\n' "$unsupported" >&2
    say "It carries GPU code for ${sm_list}only and no PTX, so every kernel launch"
    say "would fail with \"no kernel image is available for execution on the device\"."
    if [ "$wants_gpu" = yes ]; then
        say "  Hopper (H100, H200) and newer: build on NVIDIA's NGC MXNet image instead:"
        say "      $ngc_hint"
        say "  or ask for the CPU:  $cpu_hint"
        say "  (with several GPUs, --gpus '\"device=N\"' picks a supported one;"
        say "   GLUON_TUTORIALS_SKIP_GPU_CHECK=1 skips this check)"
        exit 1
    fi
fi

run "$@"
