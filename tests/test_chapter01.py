"""Chapter 1: NDArray and autograd."""
import numpy as np
from mxnet import nd

from gluon_tutorials.chapter01_crashcourse import autograd as ag_section
from gluon_tutorials.chapter01_crashcourse import ndarray as nd_section


def test_ndarray_section(tmp_path, capsys):
    result = nd_section.main(["--out", str(tmp_path)])
    assert result["broadcast_shape"] == (3, 2)
    assert result["numpy_round_trip_equal"]
    assert result["in_place"] == {
        "y = y + x keeps id": False,
        "z[:] = x + y keeps id": True,
        "elemwise_add(x, y, out=z) keeps id": True,
        "x += y keeps id": True,
    }
    expected = np.arange(12).reshape(3, 4)
    expected[1, 2] = 9
    expected[1:2, 1:3] = 4
    np.testing.assert_array_equal(result["sliced"], expected)
    assert "a + b broadcasts" in capsys.readouterr().out


def test_broadcasting_values():
    np.testing.assert_array_equal(nd_section.broadcasting().asnumpy(), [[0, 1], [1, 2], [2, 3]])


def test_autograd_gradients():
    x = nd.array([[1, 2], [3, 4]])
    np.testing.assert_array_equal(ag_section.simple_gradient(x).asnumpy(), 4 * x.asnumpy())
    head = nd.array([[10, 1.], [.1, .01]])
    np.testing.assert_allclose(ag_section.head_gradient(x, head).asnumpy(),
                               4 * x.asnumpy() * head.asnumpy(), rtol=1e-6)


def test_gradient_through_control_flow():
    for values in ([0.3, -0.2, 0.1], [-1.0, -2.0, -0.5]):
        a = nd.array(values)
        grad, c = ag_section.control_flow_gradient(a)
        np.testing.assert_allclose(grad.asnumpy(), (c / a).asnumpy(), rtol=1e-5)
        # f doubles until the norm reaches 1000, then multiplies by 100 when the sum is negative
        factor = 2
        while np.linalg.norm(values) * factor < 1000:
            factor *= 2
        factor *= 100 if sum(values) < 0 else 1
        np.testing.assert_allclose(grad.asnumpy(), [factor] * 3)


def test_autograd_main(tmp_path):
    result = ag_section.main(["--out", str(tmp_path)])
    np.testing.assert_array_equal(result["grad"], [[4, 8], [12, 16]])
    np.testing.assert_allclose(result["control_flow_grad"], result["control_flow_ratio"], rtol=1e-5)
