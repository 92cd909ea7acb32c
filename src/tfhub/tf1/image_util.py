"""Image modules: the ImageModuleInfo attachment and the expected input size."""

from __future__ import annotations

from typing import Any, List, Optional

from tfhub.formats.hub_protos import ImageModuleInfo
from tfhub.tf1.creation import attach_message

IMAGE_MODULE_INFO_KEY = "image_module_info"

__all__ = ["ImageModuleInfo", "attach_image_module_info", "get_expected_image_size",
           "get_num_image_channels"]


def attach_image_module_info(image_module_info: Any) -> None:
    """Attaches an ImageModuleInfo to the module being built (inside ``module_fn``)."""
    attach_message(IMAGE_MODULE_INFO_KEY, image_module_info)


def _image_shape(module_or_spec: Any, signature: Optional[str], input_name: Optional[str],
                 known: str) -> List[Optional[int]]:
    input_name = input_name or "images"
    infos = module_or_spec.get_input_info_dict(signature)
    if input_name not in infos:
        raise ValueError(f"Module is missing input {input_name!r} in signature "
                         f"{signature or 'default'!r}; its inputs are {sorted(infos)}.")
    shape = infos[input_name].get_shape()
    if shape.rank != 4:
        raise ValueError(f"Shape of module input is {shape}, expected [batch_size, height, width, "
                         f"num_channels] with known {known}.")
    return shape.as_list()


def get_expected_image_size(module_or_spec: Any, signature: Optional[str] = None,
                            input_name: Optional[str] = None) -> List[int]:
    """The ``[height, width]`` an image module expects.

    From the attached ImageModuleInfo when it gives both, else from the input's shape.

    Raises:
        ValueError: the input is missing or its height/width are unknown.
    """
    info = module_or_spec.get_attached_message(IMAGE_MODULE_INFO_KEY, ImageModuleInfo)
    if info is not None and info.default_image_size.height and info.default_image_size.width:
        return [info.default_image_size.height, info.default_image_size.width]
    shape = _image_shape(module_or_spec, signature, input_name, "height and width")
    height, width = shape[1], shape[2]
    if height is None or width is None:
        raise ValueError(f"Shape of module input is {shape}, expected [batch_size, height, width, "
                         "num_channels] with known height and width.")
    return [height, width]


def get_num_image_channels(module_or_spec: Any, signature: Optional[str] = None,
                           input_name: Optional[str] = None) -> int:
    """The number of channels (last input dimension) an image module expects.

    Raises:
        ValueError: the input is missing or its channel count is unknown.
    """
    shape = _image_shape(module_or_spec, signature, input_name, "num_channels")
    if shape[3] is None:
        raise ValueError(f"Shape of module input is {shape}, expected [batch_size, height, width, "
                         "num_channels] with known num_channels.")
    return shape[3]
