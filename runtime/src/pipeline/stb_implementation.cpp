// The one place where the stb_image and stb_image_write implementations are compiled.
// Debian ships them as headers (libstb-dev); compiling them here keeps the library
// header-only-dependent and free of a link-time dependency on libstb.
//
// The headers sit in the system include directory, so the compiler does not hold their
// code to this project's warning flags.

// Reading from memory only: the caller opens and reads the file itself, so errors name
// the path and the size is known before decoding.
#define STBI_NO_STDIO
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>

#define STBI_WRITE_NO_STDIO
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
