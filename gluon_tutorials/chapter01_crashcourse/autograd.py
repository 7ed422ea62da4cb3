"""autograd: attach_grad, record, backward, Python control flow, head gradients."""
import sys

from mxnet import autograd, nd

from gluon_tutorials import cli


def simple_gradient(x):
    """z = 2 * x * x, so dz/dx = 4 * x."""
    x.attach_grad()
    with autograd.record():
        y = x * 2
        z = y * x
    z.backward()
    return x.grad


def f(a):
    """Its result depends on a through loops and a branch; still c = k * a for some k."""
    b = a * 2
    while nd.norm(b).asscalar() < 1000:
        b = b * 2
    if nd.sum(b).asscalar() > 0:
        c = b
    else:
        c = 100 * b
    return c


def control_flow_gradient(a):
    a.attach_grad()
    with autograd.record():
        c = f(a)
    c.backward()
    return a.grad, c


def head_gradient(x, head):
    """backward(head) gives head * dz/dx: the chain rule's outer factor passed in."""
    x.attach_grad()
    with autograd.record():
        y = x * 2
        z = y * x
    z.backward(head)
    return x.grad


def main(argv=None):
    parser = cli.section_parser(cli.module_name(__name__, __spec__), __doc__, ctx="cpu")
    args = parser.parse_args(argv)
    cli.seed_everything(args.seed)

    x = nd.array([[1, 2], [3, 4]])
    grad = simple_gradient(x)
    print("x.grad for z = 2 * x * x:")
    print(grad)
    print("equals 4 * x:", bool((grad == 4 * x).asnumpy().all()))

    a = nd.random_normal(shape=3)
    a_grad, c = control_flow_gradient(a)
    print("gradient through while/if:", a_grad)
    print("equals c / a:", bool(nd.abs(a_grad - c / a).max().asscalar() < 1e-4))

    head = nd.array([[10, 1.], [.1, .01]])
    x = nd.array([[1, 2], [3, 4]])
    h_grad = head_gradient(x, head)
    print("x.grad with head gradient", head.asnumpy().tolist())
    print(h_grad)
    return {"grad": grad.asnumpy().tolist(), "control_flow_grad": a_grad.asnumpy().tolist(),
            "control_flow_ratio": (c / a).asnumpy().tolist(),
            "head_grad": h_grad.asnumpy().tolist()}


if __name__ == "__main__":
    sys.exit(cli.run(main))
