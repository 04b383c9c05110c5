/* The stb_image / stb_image_write implementation for swap_face (Debian's libstb-dev
 * ships the headers). Third-party code: built without the examples' warning flags. */
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>
